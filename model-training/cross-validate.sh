#!/usr/bin/env bash
# Chooses a training design on the training data alone: patient-grouped K-fold cross-validation over the adult
# (NIH) train + validation patients (the locked internal test split is never loaded), the paediatric data as in
# training. One adult validation split of 144 noisy-label films cannot tell designs apart (its AUROC swings by
# 0.05 between neighbouring checkpoints); K folds give every adult film one turn as validation.
# Each run trains a fixed number of steps and is scored at its LAST step (no choice among noisy peaks).
#   model-training/cross-validate.sh [--folds 3] [--steps 800] [--out model-training/runs/cv] [--designs "a b"]
# Designs (train options): shared = one pneumonia head for both populations (v2);
#                          per-population = one head per population (adult head learns from adult films only).
# Decision rule, fixed before the runs: the design with the higher mean adult fold AUROC; when the means lie
# within 0.01 of each other, per-population (it removes a shortcut by construction: paediatric labels never
# train the adult decision).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
folds=3; steps=800; out="$HERE/runs/cv"; designs="shared per-population"
while (( $# )); do
  case "$1" in
    --folds) folds="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --designs) designs="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
summary="$out/summary.tsv"
printf 'design\tfold\tsteps\tminutes\tval_auroc_nih_last\tval_auroc_kermany_last\n' > "$summary"
built=0
for fold in $(seq 0 $((folds - 1))); do
  for d in $designs; do
    run="$out/$d-fold$fold"
    echo "== design $d, fold $((fold + 1)) of $folds ($steps steps) -> $run"
    if (( built )); then export ALVEOLUS_SKIP_BUILD=1; fi
    "$HERE/run.sh" train --out "$run" --version "cv-$d-fold$fold" --heads "$d" --checkpoint last \
      --max-steps "$steps" --max-minutes 600 --eval-every 200 --cv-folds "$folds" --cv-fold "$fold" \
      > "$run.log" 2>&1 || { echo "training failed, see $run.log" >&2; exit 1; }
    built=1
    last=$(tail -1 "$run/history.csv")
    IFS=, read -r st _ _ _ aK aN _ _ mins <<< "$last"
    printf '%s\t%d\t%s\t%s\t%s\t%s\n' "$d" "$((fold + 1))" "$st" "$mins" "$aN" "$aK" | tee -a "$summary"
  done
done
echo "== mean adult (NIH) validation AUROC over $folds folds, at the last step"
awk -F'\t' 'NR > 1 { n[$1]++; s[$1] += $5; q[$1] += $5 * $5; k[$1] += $6 }
  END { for (d in n) { m = s[d] / n[d]; sd = sqrt(q[d] / n[d] - m * m);
        printf "%-16s adult %.4f (sd %.4f over %d folds)   paediatric %.4f\n", d, m, sd, n[d], k[d] / n[d] } }' \
  "$summary" | sort | tee "$out/summary.txt"
