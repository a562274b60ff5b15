#!/bin/sh
# Bad pictures (bombs, unbounded formats, damaged files) against the real
# binary: --check, --render and the kiosk from a local and an HTTP feed.
set -eu
exec python3 "$(dirname "$0")/image_harness.py" "$1"
