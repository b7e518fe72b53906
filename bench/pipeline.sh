#!/usr/bin/env bash
# Pipeline benchmark: starts the stack and the services if needed, onboards its own tenant (enterprise plan, so
# no per-minute limit refuses the load), pushes 500 real X-rays through and prints throughput, latency
# percentiles and the CPU milliseconds per image of every process next to the bare model's throughput, all
# measured in this one run. Exits non-zero with a message if anything fails.
#   bench/pipeline.sh [images] [warm-up images]   (defaults 500 and 300; the warm-up is not measured)
set -euo pipefail
export OMP_WAIT_POLICY=PASSIVE   # as in the worker image: PyTorch threads must not spin on shared cores
cd "$(dirname "$0")/.."
bash stack/up.sh
bash stack/install-interop-deps.sh
./mvnw -q -B install -DskipTests
bash stack/services.sh start ingest-service inference-worker results-service
cp=$(./mvnw -q -B -pl bench dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
java -Xmx1g -Dai.djl.offline=true -Dimages="${1:-500}" -Dwarmup="${2:-300}" -cp "bench/target/classes:$cp" io.alveolus.bench.PipelineBench \
  "${ALVEOLUS_DATA_DIR:-$(cd .. && pwd)/shared/data/cxr-kermany224}"
