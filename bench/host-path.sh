#!/usr/bin/env bash
# Host-side ceiling of a GPU worker (issue 14): the whole pipeline as bench/pipeline.sh runs it, but the worker's
# forward pass is a stub of zero cost (alveolus.worker.bench.stub-forward), so what the worker spends per image is
# its host side alone: fetch from the object store, decode, prepare the input, batch, write the results, Kafka.
# Prints the worker's CPU ms per image and the images/s per core that gives. The stubbed worker is stopped at the
# end with the services it started (its results are placeholders, marked "+stub-forward").
#   bench/host-path.sh [images] [warm-up images]   (defaults 500 and 300; the warm-up is not measured; BENCH_HTTP and
#   BENCH_WARMUP_ROUNDS as in bench/pipeline.sh)
set -euo pipefail
export OMP_WAIT_POLICY=PASSIVE
cd "$(dirname "$0")/.."
bash stack/up.sh
bash stack/install-interop-deps.sh
./mvnw -q -B install -DskipTests
bash stack/services.sh stop inference-worker
trap 'bash stack/services.sh stop inference-worker ingest-service results-service' EXIT
ALVEOLUS_WORKER_BENCH_STUB_FORWARD=true bash stack/services.sh start inference-worker
bash stack/services.sh start ingest-service results-service
cp=$(./mvnw -q -B -pl bench dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
java -Xmx1g -Dai.djl.offline=true ${BENCH_JFR:+-Djfr=$BENCH_JFR} -DhostPath=true -Dhttp="${BENCH_HTTP:-1.1}" -DwarmupRounds="${BENCH_WARMUP_ROUNDS:-40}" -Dimages="${1:-500}" -Dwarmup="${2:-300}" -cp "bench/target/classes:$cp" \
  io.alveolus.bench.PipelineBench "${ALVEOLUS_DATA_DIR:-$(cd .. && pwd)/shared/data/cxr-kermany224}"
