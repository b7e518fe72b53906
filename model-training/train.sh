#!/usr/bin/env bash
# Train the pneumonia model. Example (the run that produced pneumonia-v1):
#   model-training/train.sh --data /work/shared/data/cxr-kermany224 --out model-training/runs/pneumonia-v1 --ship
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" train "$@"
