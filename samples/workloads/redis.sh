#!/bin/sh
# Redis as deployed: root starts redis-server as the redis user in its own
# directory, redis-benchmark drives it, SAVE writes a snapshot (temp-PID.rdb
# renamed to dump.rdb), SHUTDOWN stops it; root removes the directory.
# Usage: redis.sh WORKDIR [PORT]   (run as root; files go to WORKDIR/redis)
set -eu
work=$1
port=${2:-42030}
d=$work/redis
mkdir -p "$d"
chown redis:redis "$d"
setpriv --reuid=redis --regid=redis --init-groups -- redis-server --port "$port" --bind 127.0.0.1 \
        --dir "$d" --save "" --appendonly no --daemonize no --logfile "$d/redis.log" &
server=$!
# Wait for the server: the same calls however soon it is up (one sleep,
# one probe at least; liveness through /proc, not a signal to another user).
i=0
while :; do
        sleep 0.2
        redis-cli -p "$port" ping >/dev/null 2>&1 && break
        i=$((i + 1))
        if [ $i -gt 300 ] || [ ! -d /proc/$server ]; then
                echo "redis.sh: redis-server did not start" >&2
                exit 1
        fi
done
redis-benchmark -p "$port" -n 1000 -c 4 -q -t set,get,lpush,incr >/dev/null
redis-cli -p "$port" save | grep -q OK
test -s "$d/dump.rdb"
redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
wait $server || true
rm -rf "$d"
echo "redis: benchmark and snapshot done"
