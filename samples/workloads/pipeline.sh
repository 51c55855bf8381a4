#!/bin/sh
# A shell pipeline: archive and compress a directory, count, sort and grep.
# Usage: pipeline.sh DIR WORKDIR
set -eu
src=${1:-/usr/include/linux}
work=${2:-${TMPDIR:-/tmp}}
tar -C "$src" -cf - . | gzip -c > "$work/pipeline.tar.gz"
n=$(gzip -dc "$work/pipeline.tar.gz" | tar -tf - | wc -l)
ls -la "$src" | sort -k5 -n | tail -n 3 > "$work/pipeline.largest"
grep -c define "$src"/*.h > /dev/null || true
rm -f "$work/pipeline.tar.gz" "$work/pipeline.largest"
echo "pipeline: $n entries"
