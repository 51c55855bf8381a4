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
# diff: every golden-diff case in every format
nd=0
for case in tests/golden-diff/*/; do
        [ -f "$case"expected.txt ] || continue
        # libseccomp probes SCMP_ACT_LOG with seccomp(2), which valgrind does not know
        ! grep -rqs SCMP_ACT_LOG "$case"old* "$case"new* || continue
        old=$(ls -d "$case"old* | head -n 1)
        new=$(ls -d "$case"new* | head -n 1)
        for f in text markdown json; do
                MINPRIV_TEMPLATES=tests/golden/templates $vg "$mp" diff --format $f "$old" "$new" >/dev/null
        done
        nd=$((nd + 1))
done
# image: a golden trace cut from a small source (symlinks, a name with a
# newline, paths it lacks): the plan, the tar writer, image.json; then from
# that tarball (the tar reader); report --image
ti=tests/golden/webapp-merged/trace-a.json
src=$tmp/src
mkdir -p "$src/app/bin" "$src/etc" "$src/usr/lib/x86_64-linux-gnu" "$src/var/lib/app" "$src/run" "$src/tmp"
printf 'elf\n' > "$src/app/bin/server"
printf 'odd\n' > "$src/app/weird name\`x
"
printf 'root:x:0:0::/root:/bin/sh\n' > "$src/etc/passwd"
printf 'lib\n' > "$src/usr/lib/x86_64-linux-gnu/libssl.so.3"
ln -s usr/lib "$src/lib"
ln -s ../run "$src/var/run"
printf 'db\n' > "$src/var/lib/app/state.db"
$vg "$mp" image -q --no-import --source "$src" -o "$tmp/i.tar" -p "$tmp/ip" "$ti"
$vg "$mp" image -q --no-import --source "$tmp/i.tar" -o "$tmp/i2.tar" -p "$tmp/ip" "$ti"
cmp -s "$tmp/i.tar" "$tmp/i2.tar"
$vg "$mp" report -q --image "$tmp/ip/image.json" -o "$tmp/r.html" "$ti"
printf 'not a tar archive\n' > "$tmp/bad.tar"
$vg "$mp" image -q --no-import --source "$tmp/bad.tar" -o "$tmp/i3.tar" -p "$tmp/ip" "$ti" 2>/dev/null || [ $? -eq 2 ]
# bad input paths too
printf '{' > "$tmp/bad.json"
$vg "$mp" generate -q -o "$tmp/out2" "$tmp/bad.json" 2>/dev/null || [ $? -eq 2 ]
$vg "$mp" diff "$tmp/bad.json" tests/golden-diff/seccomp-actions/old.json 2>/dev/null || [ $? -eq 2 ]
echo "valgrind: generate/merge/explain clean on $n golden cases, diff on $nd golden-diff cases, image and report --image"
