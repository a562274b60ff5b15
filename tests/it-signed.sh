#!/bin/sh
# Signed feeds with the real binary and a real HTTP server: every way a
# signature is wrong is refused, replays too, across a restart; pinned
# images; --check --feed-key.
set -eu
exec python3 "$(dirname "$0")/signed_harness.py" "$1"
