#!/bin/sh
# The kiosk on a video driver without a window framebuffer (KMSDRM and
# Wayland in SDL 2), and when a back end fails: it still shows the slides.
# $1 = the edukiosk binary.
set -eu
exec python3 "$(dirname "$0")/display_harness.py" "$1"
