#!/bin/sh
# nginx as deployed: a root master process that opens the logs and the
# listening socket, and www-data workers (forked, then setuid) that serve
# static files on loopback; driven by curl and ab, then stopped with QUIT.
# Usage: nginx.sh WORKDIR [PORT]   (run as root; files go to WORKDIR/nginx)
set -eu
work=$1
port=${2:-42010}
d=$work/nginx
mkdir -p "$d/html" "$d/logs" "$d/tmp"
printf '<h1>minpriv</h1>\n' >"$d/html/index.html"
dd if=/dev/zero of="$d/html/big.bin" bs=4096 count=16 2>/dev/null
cat >"$d/nginx.conf" <<CONF
user www-data;
worker_processes 2;
daemon off;
pid $d/nginx.pid;
error_log $d/logs/error.log;
events { worker_connections 64; }
http {
    default_type application/octet-stream;
    access_log $d/logs/access.log;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        root $d/html;
        location / { }
    }
}
CONF
nginx -p "$d" -e "$d/logs/error.log" -c "$d/nginx.conf" &
master=$!
# Wait for the server: the same calls however soon it is up (one sleep,
# one probe at least; liveness through /proc, not a signal to another user).
i=0
while :; do
        sleep 0.2
        curl -sf -o /dev/null "http://127.0.0.1:$port/" && break
        i=$((i + 1))
        if [ $i -gt 300 ] || [ ! -d /proc/$master ]; then
                echo "nginx.sh: nginx did not start" >&2
                exit 1
        fi
done
curl -sf "http://127.0.0.1:$port/" | grep -q minpriv
ab -q -n 200 -c 4 "http://127.0.0.1:$port/big.bin" >"$d/ab.out"
grep -q '^Failed requests: *0' "$d/ab.out"
kill -QUIT $master
wait $master
n=$(wc -l <"$d/logs/access.log")
rm -rf "$d"
echo "nginx: $n requests served"
