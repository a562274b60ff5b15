#!/bin/sh
# The real binary on simulated time (EDUKIOSK_SIM_TIME): a day in seconds,
# an emergency alert that starts mid-fade, the screen off all day.
set -eu
exec python3 "$(dirname "$0")/simtime_harness.py" "$1"
