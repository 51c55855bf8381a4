#!/bin/sh
# PostgreSQL as deployed: root makes a directory for the postgres user, which
# runs initdb, starts the server with pg_ctl (a postmaster and its forked
# backends, unix socket in the directory), loads and runs pgbench, and stops
# it; root removes the cluster.
# Usage: postgres.sh WORKDIR [PORT]   (run as root; files go to WORKDIR/pg)
set -eu
work=$1
port=${2:-42020}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
d=$work/pg
mkdir -p "$d"
chown postgres:postgres "$d"
as_pg() {
        setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
}
cd "$d"
as_pg "$bin/initdb" -D "$d/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >/dev/null
as_pg "$bin/pg_ctl" -D "$d/data" -l "$d/server.log" -w -t 300 \
        -o "-p $port -k $d -c listen_addresses= -c fsync=off -c max_connections=10 -c shared_buffers=16MB" start >/dev/null
as_pg "$bin/pgbench" -h "$d" -p "$port" -q -i -s 1 postgres 2>/dev/null
as_pg "$bin/pgbench" -h "$d" -p "$port" -c 2 -j 2 -t 50 postgres >"$d/pgbench.out" 2>&1
tps=$(sed -n 's/^tps = \([0-9]*\).*/\1/p' "$d/pgbench.out")
as_pg "$bin/pg_ctl" -D "$d/data" -m fast -w stop >/dev/null
cd /
rm -rf "$d"
echo "postgres: pgbench done (tps ${tps:-?})"
