#!/bin/sh
# The headless render of the built-in deck under valgrind: no invalid
# reads or writes, no leaks (fontconfig's own parse leak suppressed).
set -eu
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
valgrind -q --error-exitcode=9 --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --suppressions="$here/valgrind.supp" \
    "$bin" --render "$tmp/out" --size 1280x720 >/dev/null
n=$(find "$tmp/out" -name 'slide-*.png' | wc -l)
[ "$n" -gt 0 ] || { echo "no slides rendered"; exit 1; }
echo "valgrind: $n slides rendered, no errors, no leaks"
