#!/usr/bin/env bash
# Builds the applicability gate's test set with ImageMagick (a different generator from the one the gate was
# trained against, model-training/.../Synthetic.java): non-radiographs (ImageMagick's built-in images and
# patterns, noise, text) and real radiographs that the model must not read as they are (rotated 90°,
# upside down, inverted, a corner only), made from internal-test images of both sources.
#   model-training/make-gate-testset.sh OUT_DIR [SPLIT_TSV]
# then: model-training/evaluate.sh --applicability OUT_DIR
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:?usage: make-gate-testset.sh OUT_DIR [SPLIT_TSV]}"
SPLIT="${2:-$HERE/src/main/resources/alveolus/training/pneumonia-v3/split.tsv}"
DATA="${ALVEOLUS_DATA:-$(cd "$HERE/../.." && pwd)/shared/data}"
IM=/usr/bin/convert   # /usr/bin: Debian's ImageMagick (a stand-in elsewhere on PATH may shadow it)
if [[ ! -x $IM ]] || ! $IM -version 2>/dev/null | grep -q ImageMagick; then
  echo "installing ImageMagick (Debian)" >&2
  apt-get install -y -q imagemagick >/dev/null
fi
mkdir -p "$OUT"/{builtin,pattern,noise,text,ct-like,rotated,upside-down,inverted,corner}
S=224x224
i=0
for b in logo: rose: wizard: granite: netscape: plasma:fractal "gradient:black-white" "gradient:white-black" \
         "radial-gradient:white-black" "radial-gradient:black-white" "plasma:grey10-grey90" xc:black xc:white xc:grey50; do
  $IM -size $S "$b" -resize "$S!" -colorspace Gray "$OUT/builtin/$i.png"; i=$((i+1))
done
i=0
for p in checkerboard bricks hexagons horizontal vertical left30 right30 crosshatch circles fishscales gray50 \
         hs_diagcross octagons smallfishscales verticalsaw; do
  $IM -size $S "pattern:$p" -colorspace Gray "$OUT/pattern/$i.png"; i=$((i+1))
done
for n in $(seq 0 9); do
  $IM -size $S xc:grey50 -seed $n +noise Random -colorspace Gray "$OUT/noise/random-$n.png"
  $IM -size $S xc:grey50 -seed $n +noise Gaussian -blur 0x$((n % 4)) -colorspace Gray "$OUT/noise/gauss-$n.png"
  $IM -size $S -seed $n plasma: -blur 0x2 -colorspace Gray "$OUT/noise/plasma-$n.png"
done
texts=("Discharge summary: patient seen in clinic" "Invoice 2026-12-02 total 1,240.00 EUR" \
       "The quick brown fox jumps over the lazy dog" "RADIOLOGY REQUEST chest PA and lateral" \
       "Lorem ipsum dolor sit amet, consectetur" "Room 4B - visiting hours 10:00-18:00")
for n in "${!texts[@]}"; do
  $IM -size $S -background white -fill black -pointsize $((14 + n * 3)) caption:"${texts[$n]} ${texts[$(( (n+1) % 6 ))]}" \
      -colorspace Gray "$OUT/text/$n.png"
  $IM -size $S -background grey80 -fill grey20 -pointsize $((12 + n * 2)) caption:"${texts[$n]}" -rotate 7 \
      -resize "$S!" -colorspace Gray "$OUT/text/r$n.png"
done
for n in $(seq 0 9); do # axial CT-like: a body ellipse, two dark lungs, a spine
  w=$((150 + n * 6)); h=$((100 + n * 4))
  $IM -size $S xc:black -fill grey$((45 + n * 2)) -draw "ellipse 112,112 $((w/2)),$((h/2)) 0,360" \
      -fill grey8 -draw "ellipse $((112 - w/5)),108 $((w/7)),$((h/3)) 0,360" \
      -fill grey8 -draw "ellipse $((112 + w/5)),108 $((w/7)),$((h/3)) 0,360" \
      -fill grey95 -draw "circle 112,$((112 + h/2 - 18)) 112,$((112 + h/2 - 8))" \
      -seed $n -attenuate 0.3 +noise Gaussian -colorspace Gray "$OUT/ct-like/$n.png"
done
# radiographs made unreadable as they are: 15 internal-test images of each source
n=0
for src in kermany nih; do
  root="$DATA/cxr-kermany224"; [[ $src == nih ]] && root="$DATA/cxr-nih-adult512"
  # awk stops at 15 itself: a `head` here can end awk with SIGPIPE, and pipefail then ends this script
  awk -F'\t' -v s=$src 'n < 15 && $1=="test" && $2==s {print $3; n++}' "$SPLIT" | while read -r rel; do
    f="$root/$rel"; b="$src-$(basename "${rel%.*}")"
    $IM "$f" -colorspace Gray -rotate 90 -resize "$S!" "$OUT/rotated/$b.png"
    $IM "$f" -colorspace Gray -flip -resize "$S!" "$OUT/upside-down/$b.png"
    $IM "$f" -colorspace Gray -negate -resize "$S!" "$OUT/inverted/$b.png"
    $IM "$f" -colorspace Gray -gravity SouthEast -crop 33%x33%+0+0 +repage -resize "$S!" "$OUT/corner/$b.png"
  done
done
echo "gate test set: $(find "$OUT" -name '*.png' | wc -l) images in $OUT" >&2
