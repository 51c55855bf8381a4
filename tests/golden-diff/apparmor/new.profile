abi <abi/3.0>,

include <tunables/global>

@{APP} = /opt/app

# the same rules, reordered and requoted, plus hand edits
profile app flags=(attach_disconnected,complain) {
  network inet stream,
  network inet6 stream,
  capability net_bind_service,
  capability chown,

  "/etc/hosts" r,
  /usr/lib/** rm,
  /usr/lib/x86_64-linux-gnu/libssl.so.3 rm,
  @{APP}/conf/*.yml r,
  @{APP}/** rw,
  /tmp/app-*.log w,
  /etc/{hosts,resolv.conf} r,
  audit /etc/hosts r,

  unix (create) type=stream,
  ptrace (read) peer=app,
}
