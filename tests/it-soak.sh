#!/bin/sh
# The soak (make soak) cut to one simulated day across the year end, so the
# simulated-time seam and the soak itself stay working: the feed server's
# changing feed and faults, the daily screen off/on, /proc checks.
set -eu
export TZ="${TZ:-Asia/Shanghai}"
exec python3 "$(dirname "$0")/soak_harness.py" "$1" --days 1 --start "2026-12-31 06:00"
