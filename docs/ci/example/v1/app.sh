#!/bin/sh
# Version 1 of the example application: keeps a small state file.
set -eu
dir=$1
mkdir -p "$dir"
echo "hello" > "$dir/state"
cat "$dir/state"
