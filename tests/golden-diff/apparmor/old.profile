abi <abi/3.0>,

include <tunables/global>

@{APP} = /opt/app

profile app flags=(attach_disconnected) {
  network inet stream,
  capability net_bind_service,

  /usr/lib/** rm,
  @{APP}/** r,
  owner /tmp/app-*.log w,
  /etc/hosts r,
  /etc/old.conf r,

  unix (create) type=stream,
  deny /proc/sys/** w,
}
