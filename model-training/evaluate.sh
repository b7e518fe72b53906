#!/usr/bin/env bash
# Evaluate a model (default: the shipped one) on a folder with NORMAL/ and PNEUMONIA/ sub-folders:
#   model-training/evaluate.sh --data /path/to/test [--model DIR] [--report report.json]
# or on the recorded patient-disjoint validation split:
#   model-training/evaluate.sh --split validation
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" evaluate "$@"
