#!/usr/bin/env bash
# Draws icons/source.png, the 1024x1024 RGBA master of the app icon (ImageMagick 6), so the mark can be
# tweaked and regenerated instead of hand-edited. Then: npx tauri icon icons/source.png -o src-tauri/icons
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Calm teal-to-blue rounded square...
convert -size 1024x1024 -define gradient:direction=SouthEast gradient:'#17b0a4-#2460d6' "$tmp/grad.png"
convert -size 1024x1024 xc:none -fill white -draw "roundrectangle 40,40 983,983 210,210" "$tmp/mask.png"
convert "$tmp/grad.png" "$tmp/mask.png" -alpha off -compose CopyOpacity -composite "$tmp/bg.png"
# ...with a white speech bubble holding a clock: "who is waiting, and for how long".
convert "$tmp/bg.png" \
  -fill white -stroke none \
  -draw "roundrectangle 212,232 812,712 130,130" \
  -draw "polygon 300,660 262,842 470,700" \
  -fill none -stroke '#1e8cb6' -strokewidth 40 \
  -draw "circle 512,472 512,322" \
  -draw "stroke-linecap round stroke-linejoin round polyline 512,382 512,472 588,514" \
  -define png:exclude-chunks=date,time PNG32:source.png
