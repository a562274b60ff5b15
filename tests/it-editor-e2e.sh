#!/bin/sh
# End to end: a deck published in the real edukiosk-editor (signed) goes
# on the real kiosk's screen, polled from the editor's own /feed.json;
# a rollback brings the old deck back.  $1 = the edukiosk binary; the
# editor is next to it.
set -eu
bin=$1
exec python3 "$(dirname "$0")/editor_e2e_harness.py" "$(dirname "$bin")/edukiosk-editor" "$bin"
