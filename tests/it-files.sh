#!/bin/sh
# Files the real binary reads and writes: a full disk keeps every old file
# and is logged; a FIFO or a device in place of a file never holds up the
# screen; --print-config checks paths.  $1 = the edukiosk binary.
set -eu
exec python3 "$(dirname "$0")/files_harness.py" "$1"
