#!/bin/sh
# Re-makes the README's screenshots with --render (the same pixels as the
# screen; clock pinned to 2026-11-29 14:05 in Asia/Shanghai).
#   tests/update-screenshots.sh build/edukiosk
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/edukiosk}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=Asia/Shanghai EDUKIOSK_NOW=1795932300
"$bin" --render "$tmp/land" --size 1920x1080 >/dev/null
"$bin" --render "$tmp/port" --size 1080x1920 >/dev/null
mkdir -p docs/screenshots
rm -f docs/screenshots/slide-*.png docs/screenshots/portrait-*.png
for n in 01 05 07 08 09 11; do
    cp "$tmp/land/slide-$n.png" "docs/screenshots/slide-$n.png"
done
cp "$tmp/port/slide-05.png" docs/screenshots/portrait-05.png
ls docs/screenshots
