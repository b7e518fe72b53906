#!/usr/bin/env bash
# Train pneumonia-v3 from scratch: one command, about 35-50 minutes on 2 CPU cores (3,200 steps of batch 32; it also
# runs on a GPU machine's CPUs unchanged). Steps: train (both sources, a fixed number of steps, the last step kept),
# the gate's ImageMagick test set, finish (gate threshold and per-population calibration on validation, the locked
# internal test scored once). The design was chosen by model-training/cross-validate.sh (results/cv/).
#   model-training/train.sh [--out model-training/runs/pneumonia-v3] [--max-steps 3200] [--ship] [train options]
# --ship copies the finished model into model/src/main/resources and its split into model-training's resources.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$HERE/runs/pneumonia-v3"; ship=(); train=()
while (( $# )); do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --ship) ship=(--ship); shift ;;
    *) train+=("$1"); shift ;;
  esac
done
"$HERE/run.sh" train --out "$out" "${train[@]}"
"$HERE/make-gate-testset.sh" "$out/gate-testset" "$out/split.tsv"
ALVEOLUS_SKIP_BUILD=1 "$HERE/run.sh" finish --run "$out" --gate-testset "$out/gate-testset" "${ship[@]}"
