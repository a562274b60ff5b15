#!/bin/sh
# --render of the built-in deck at four screen sizes: a PNG per slide of
# the right size, and a layout.json whose boxes are on screen, readable
# and never overlapping.  $1 = the edukiosk binary.
set -eu
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["slides"]))' \
    "$here/../assets/default-feed.json")
for size in 1280x720 1920x1080 3840x2160 1080x1920; do
    w=${size%x*}
    h=${size#*x}
    out="$tmp/$size"
    "$bin" --render "$out" --size "$size"
    count=$(find "$out" -name 'slide-*.png' | wc -l)
    [ "$count" -eq "$n" ] || { echo "$size: $count PNGs for $n slides"; exit 1; }
    python3 - "$out/slide-01.png" "$w" "$h" <<'PY'
import struct, sys
with open(sys.argv[1], "rb") as f:
    head = f.read(24)
assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", head[16:24])
assert (w, h) == (int(sys.argv[2]), int(sys.argv[3])), f"PNG is {w}x{h}"
PY
    python3 "$here/check_layout.py" "$out/layout.json" "$w" "$h" "$n"
done
# Image slides from a local feed: the photo (cover) and the poster
# (contain) are on screen; a missing picture leaves its caption, never an
# empty frame.
out="$tmp/images"
"$bin" --no-config --render "$out" --size 1920x1080 --feed "$here/data/render/images.json" \
    2>"$tmp/images.log"
python3 "$here/check_layout.py" "$out/layout.json" 1920 1080 4
grep -q 'no-such-picture.png' "$tmp/images.log" ||
    { echo "the missing picture was not reported"; exit 1; }
python3 - "$here/pngpixel.py" "$out" <<'PY'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("pngpixel", sys.argv[1])
png = importlib.util.module_from_spec(spec)
spec.loader.exec_module(png)
out = sys.argv[2]
bg = png.pixel(out + "/slide-03.png", 960, 400)       # no picture: background
photo = png.pixel(out + "/slide-01.png", 960, 400)    # inside the photo
frame = png.pixel(out + "/slide-02.png", 720, 400)    # the poster's gold frame
far = lambda a, b: sum(abs(p - q) for p, q in zip(a, b)) > 60
assert far(photo, bg), f"photo not drawn: {photo} vs background {bg}"
assert far(frame, bg), f"poster not drawn: {frame} vs background {bg}"
PY
# Bad sizes are usage errors (exit 2), not crashes.
for bad in 0x0 10x10x10 abc 99999x99999; do
    rc=0
    "$bin" --render "$tmp/bad" --size "$bad" 2>/dev/null || rc=$?
    [ "$rc" -eq 2 ] || { echo "--size $bad: exit $rc, expected 2"; exit 1; }
done
echo "render: ok"
