#!/bin/sh
# The real binary, headless: systemd notify, signals, status file, stats.
set -eu
exec python3 "$(dirname "$0")/kiosk_harness.py" "$1"
