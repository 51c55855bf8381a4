abi <abi/3.0>,
include <tunables/global>
alias /usr/lib/locale/ -> /,
alias "/srv/" -> /mnt/srv/,
@{X} = /a /b
profile p {
  /usr/lib/locale/** r,
  deny /srv/secret w,
  @{X}/** rw,
  unix (bind) addr="@z\000y",
}
