#!/bin/sh
# Temporary files as shell test scripts make them, each name drawn afresh on
# every run: mktemp(1) (a file, a directory, a suffix: tmp.XXXXXXXXXX in
# TMPDIR), GNU sort spilling to disk (sortXXXXXX), sed -i (sedXXXXXX beside
# the file it edits).
# Usage: tempfiles.sh WORKDIR
set -eu
work=${1:-${TMPDIR:-/tmp}}
list=$(mktemp)
dir=$(mktemp -d)
conf=$(mktemp --suffix=.json)
printf '{"rows": 20000}\n' > "$conf"
seq 1 20000 | sed 's/$/ line/' > "$list"
# a 64 KiB buffer: the 20,000 lines spill to temporary files in WORKDIR
sort -S 64K -T "$work" -r "$list" > "$work/sorted"
sed -i 's/ line$/ row/' "$work/sorted"
head -n 1 "$work/sorted" > "$dir/first"
cat "$conf" "$dir/first" > "$dir/summary"
n=$(wc -l < "$work/sorted")
first=$(cat "$dir/first")
rm -rf "$list" "$dir" "$conf" "$work/sorted"
echo "tempfiles: $n rows, first $first"
