#!/bin/sh
# make soak: 30 simulated days of the real kiosk loop in one sitting (see
# docs/operations.md, "The soak").  A LeakSanitizer build, if given, runs
# the same days alongside for leaks.  Prints one line:
#   soak: days=30 slide_changes=N deck_swaps=N rss_growth_kb=N leaks=N fds_leaked=N
# and exits non-zero when a limit is broken.
# Usage: tests/soak.sh BINARY [LEAK_BINARY] [DAYS]
set -eu
cd "$(dirname "$0")/.."
export TZ="${TZ:-Asia/Shanghai}"
if [ -n "${2:-}" ]; then
    exec nice python3 tests/soak_harness.py "$1" --leak-binary "$2" --days "${3:-30}"
fi
exec nice python3 tests/soak_harness.py "$1" --days "${3:-30}"
