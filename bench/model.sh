#!/usr/bin/env bash
# Latency / throughput of the shipped pneumonia models side by side (pneumonia-v1, v2 and the default, v3), one run.
# Usage: bench/model.sh [--runs 50] [--batches 1,4,8,16] [--versions pneumonia-v1,pneumonia-v2,pneumonia-v3 | --model DIR] [--data DIR]
# Threads: -Dai.djl.pytorch.num_threads (default 2 here) via JAVA_OPTS, e.g.
#   JAVA_OPTS="-Xmx2g -Dai.djl.pytorch.num_threads=1" bench/model.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$ROOT/model-training/run.sh" bench "$@"
