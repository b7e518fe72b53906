#!/usr/bin/env bash
# The promotion gate (issue 16): compares a candidate model version with the active one on the dedicated gate split
# (never the locked internal test split) and optionally on held-out radiologist feedback, per population, paired,
# and prints the comparison and the decision. Exit 0 accepted, 3 refused, 2 bad usage.
#   model-training/promotion-gate.sh --candidate RUN_DIR/model [--active-version pneumonia-v3] \
#       [--feedback DIR --feedback-population adult] --report gate.json
# then record the report: PUT /api/admin/models/{id}/gate (docs/operations.md section 6).
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" gate "$@"
