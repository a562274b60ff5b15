#!/bin/sh
# Draws assets/images/logo.png (an open book under a star, in the theme's
# blue and gold) with ImageMagick.  sh assets/images/make-logo.sh
set -eu
cd "$(dirname "$0")"
convert -size 512x512 xc:none \
    -fill '#ffc629' -draw 'circle 256,256 256,8' \
    -fill '#0b3d91' -draw 'circle 256,256 256,36' \
    -fill '#ffffff' -draw 'polygon 246,200 246,400 110,360 110,170' \
    -fill '#ffffff' -draw 'polygon 266,200 266,400 402,360 402,170' \
    -fill '#0b3d91' -draw 'polygon 250,214 250,384 236,384 236,214' \
    -stroke '#0b3d91' -strokewidth 8 \
    -draw 'line 134,220 222,240' -draw 'line 134,260 222,280' \
    -draw 'line 134,300 222,320' -draw 'line 290,240 378,220' \
    -draw 'line 290,280 378,260' -draw 'line 290,320 378,300' -stroke none \
    -fill '#ffc629' \
    -draw 'polygon 256,78 270,120 314,120 279,146 292,188 256,162 220,188 233,146 198,120 242,120' \
    -resize 256x256 -strip logo.png
