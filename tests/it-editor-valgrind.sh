#!/bin/sh
# edukiosk-editor under valgrind through one working session and a few
# bad requests (tests/editor_valgrind.py): no invalid reads or writes, no
# leaks when it stops on SIGTERM.
set -eu
exec python3 "$(dirname "$0")/editor_valgrind.py" "$(dirname "$1")/edukiosk-editor"
