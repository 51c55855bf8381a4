#!/bin/sh
# The example application's integration test: run it, check its output.
# Usage: integration-test.sh APP_DIR WORK_DIR
set -eu
out=$(sh "$1/app.sh" "$2")
[ "$out" = "hello" ] || { echo "integration test failed: got '$out'" >&2; exit 1; }
echo "integration test passed"
