#!/bin/sh
# Version 2 of the example application: also publishes the state file
# under a second name, a symbolic link. The new feature needs a new program
# (ln) and a new syscall (symlinkat): its profiles widen.
set -eu
dir=$1
mkdir -p "$dir"
echo "hello" > "$dir/state"
ln -sf state "$dir/current"
cat "$dir/current"
