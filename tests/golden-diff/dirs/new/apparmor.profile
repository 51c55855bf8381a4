abi <abi/3.0>,
include <tunables/global>
profile minpriv-app flags=(attach_disconnected,mediate_deleted) {
  /app/bin/server mix,
  /etc/app.conf r,
  deny mount,
}
