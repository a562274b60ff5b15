#!/bin/sh
# Re-makes tests/golden/ from the current code (then look at every image
# before committing it).  Usage: tests/update-golden.sh build/edukiosk
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/edukiosk}
rm -rf tests/golden
TZ=Asia/Shanghai EDUKIOSK_NOW=1795932300 "$bin" --render tests/golden --size 1920x1080
rm -f tests/golden/layout.json
ls tests/golden
