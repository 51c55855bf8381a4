#!/bin/sh
# The generator paths under valgrind: no leaks, no invalid accesses.
# Runs generate, merge, explain (and, when built, diff) on the golden traces
# with the plain (non-sanitizer) build. Usage: tests/valgrind.sh BUILD_DIR
set -eu
build=${1:-build}
mp=$build/cli/minpriv
vg="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for case in tests/golden/*/; do
        set -- "$case"trace*.json
        [ -f "$1" ] || continue
        $vg "$mp" generate -q -o "$tmp/out" "$@"
        $vg "$mp" merge -o "$tmp/merged.json" "$@"
        $vg "$mp" explain "$1" openat >/dev/null || [ $? -eq 1 ]
        $vg "$mp" explain "$1" /etc/passwd >/dev/null || [ $? -eq 1 ]
        $vg "$mp" explain "$1" CAP_CHOWN >/dev/null || [ $? -eq 1 ]
        n=$((n + 1))
done
# bad input paths too
printf '{' > "$tmp/bad.json"
$vg "$mp" generate -q -o "$tmp/out2" "$tmp/bad.json" 2>/dev/null || [ $? -eq 2 ]
echo "valgrind: generate/merge/explain clean on $n golden cases"
