#!/bin/sh
# The real binary against a real HTTP server: live edits, broken edits,
# the last-good cache across a restart with the server down.
set -eu
exec python3 "$(dirname "$0")/e2e_harness.py" "$1"
