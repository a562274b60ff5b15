#!/bin/sh
# Rebuilds the bundled fonts from Debian's fonts-noto-cjk with fonttools:
# Noto Sans CJK SC (collection index 2), Regular and Bold, subset to ASCII,
# Latin-1, general and CJK punctuation, full-width forms, all of GB2312 and
# every character of the built-in deck.  Needs: fonts-noto-cjk fonttools.
#   sh assets/fonts/make-subset.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=/usr/share/fonts/opentype/noto
chars=$(mktemp)
trap 'rm -f "$chars"' EXIT

python3 - "$here/../default-feed.json" >"$chars" <<'PY'
import sys
cps = set(range(0x20, 0x7f)) | set(range(0xa0, 0x100))
cps |= set(range(0x2010, 0x2070))   # general punctuation (— … ‘ ’ “ ” ·)
cps |= set(range(0x3000, 0x3040))   # CJK symbols and punctuation
cps |= set(range(0xff01, 0xff66))   # full-width forms
cps |= {0x2190, 0x2192, 0x25cf, 0x25cb, 0x2605, 0x2606, 0x2713, 0xfffd}
for hi in range(0xa1, 0xf8):        # GB2312, row by row
    for lo in range(0xa1, 0xff):
        try:
            cps |= {ord(c) for c in bytes([hi, lo]).decode('gb2312')}
        except UnicodeDecodeError:
            pass
try:
    with open(sys.argv[1], encoding='utf-8') as f:
        cps |= {ord(c) for c in f.read() if ord(c) >= 0x20}
except FileNotFoundError:
    pass
print(','.join('U+%04X' % c for c in sorted(cps)))
PY

for w in Regular Bold; do
    pyftsubset "$src/NotoSansCJK-$w.ttc" --font-number=2 \
        --unicodes-file="$chars" \
        --layout-features='*' --no-hinting --desubroutinize \
        --name-IDs='*' --name-legacy --name-languages='*' \
        --output-file="$here/NotoSansSC-$w.otf"
done
cp /usr/share/doc/fonts-noto-cjk/copyright "$here/LICENSE.fonts-noto-cjk" 2>/dev/null || true
ls -l "$here"/*.otf
