#!/bin/sh
# --doctor as an installer uses it: one OK/WARN/FAIL line per check, exit 3
# with the reason last when a kiosk would not run.  $1 = the edukiosk binary.
set -eu
exec python3 "$(dirname "$0")/doctor_harness.py" "$1"
