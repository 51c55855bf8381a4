#!/bin/sh
# A compiler run: build and run a small C program with the system compiler.
# Usage: compile.sh WORKDIR
set -eu
work=${1:-${TMPDIR:-/tmp}}
cat > "$work/prog.c" <<'SRC'
#include <stdio.h>
int main(void) { printf("compiled ok\n"); return 0; }
SRC
cc -O1 -o "$work/prog" "$work/prog.c"
"$work/prog"
rm -f "$work/prog" "$work/prog.c"
