#!/bin/sh
# Memory bounded by content: the largest valid texts, the real binary.
set -eu
exec python3 "$(dirname "$0")/limits_harness.py" "$1"
