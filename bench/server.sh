#!/bin/sh
# The server workload of bench.py: nginx as deployed (a root master, two
# www-data workers) serving a 16 KiB file on loopback to ab, 4 clients at
# a time, a connection per request (accept, open, sendfile, close, a log
# line each); then stopped with QUIT. The whole of it is what is recorded,
# as an integration test that starts its server would be.
# Usage: server.sh WORKDIR PORT REQUESTS   (as root)
set -eu
d=$1/nginx
port=$2
n=$3
rm -rf "$d"
mkdir -p "$d/html" "$d/logs" "$d/tmp"
chmod a+x "$1" # (the workers, www-data, reach the files through it)
dd if=/dev/zero of="$d/html/file.bin" bs=4096 count=4 2>/dev/null
chmod -R a+rX "$d"
cat >"$d/nginx.conf" <<CONF
user www-data;
worker_processes 2;
daemon off;
pid $d/nginx.pid;
error_log $d/logs/error.log;
events { worker_connections 256; }
http {
    default_type application/octet-stream;
    access_log $d/logs/access.log;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    server { listen 127.0.0.1:$port; root $d/html; location / { } }
}
CONF
nginx -p "$d" -e "$d/logs/error.log" -c "$d/nginx.conf" &
master=$!
trap 'kill -QUIT $master 2>/dev/null || :' EXIT # (also when a step fails)
i=0
until curl -sf -o /dev/null "http://127.0.0.1:$port/file.bin"; do
        sleep 0.05
        i=$((i + 1))
        [ $i -le 200 ] && [ -d /proc/$master ] || { echo "server.sh: nginx did not start" >&2; exit 1; }
done
ab -q -n "$n" -c 4 "http://127.0.0.1:$port/file.bin" >"$d/ab.out"
grep -q '^Failed requests: *0' "$d/ab.out" || { cat "$d/ab.out" >&2; exit 1; }
kill -QUIT $master
wait $master
trap - EXIT
