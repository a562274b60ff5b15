#!/bin/sh
# --check as an editor uses it: every JSONTestSuite file (none is a feed)
# is rejected with exit 1 and a located message, never a crash or a hang;
# valid feeds and the built-in deck pass with exit 0; usage errors exit 2.
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
bad=0
n=0
for f in "$here"/data/JSONTestSuite/test_parsing/*.json; do
    n=$((n + 1))
    out=$(timeout 20 "$bin" --no-config --check "$f" 2>&1)
    rc=$?
    name=$(basename "$f")
    if [ "$rc" -ne 1 ]; then
        echo "$name: exit $rc, expected 1"
        bad=$((bad + 1))
    elif ! printf '%s\n' "$out" | grep -q "$name:[0-9]*:[0-9]*: "; then
        echo "$name: no FILE:LINE:COL: message in: $out"
        bad=$((bad + 1))
    fi
done
for f in "$here"/data/feeds/valid/*.json; do
    n=$((n + 1))
    if ! out=$("$bin" --no-config --check "$f" 2>&1); then
        echo "$(basename "$f"): valid feed rejected: $out"
        bad=$((bad + 1))
    fi
done
n=$((n + 1))
if ! "$bin" --no-config --check >/dev/null 2>&1; then
    echo "the built-in deck does not pass --check"
    bad=$((bad + 1))
fi
n=$((n + 1))
rc=0
"$bin" --no-config --check /nonexistent/feed.json >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] || { echo "missing file: exit $rc, expected 1"; bad=$((bad + 1)); }
n=$((n + 1))
rc=0
"$bin" --no-such-option >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || { echo "unknown option: exit $rc, expected 2"; bad=$((bad + 1)); }
echo "check: $n runs, $bad problems"
[ "$bad" -eq 0 ]
