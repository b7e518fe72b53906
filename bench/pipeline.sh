#!/usr/bin/env bash
# Pipeline benchmark: starts the stack and the services if needed, onboards its own tenant (enterprise plan, so
# no per-minute limit refuses the load), pushes 500 real X-rays through and prints throughput, latency
# percentiles and the CPU milliseconds per image of every process next to the bare model's throughput, all
# measured in this one run. Exits non-zero with a message if anything fails.
#   bench/pipeline.sh [images] [warm-up images]   (defaults 500 and 300; the warm-up is not measured: rounds of
#   that many images until the JIT compilers have settled, at most BENCH_WARMUP_ROUNDS rounds, default 40)
# BENCH_HTTP=2: upload over cleartext HTTP/2 instead of HTTP/1.1 (what an ingress speaks to the pods).
# BENCH_JFR=DIR: also record the services with Java Flight Recorder (jcmd JFR.start, profile settings) during the
# measured phase, into DIR/<service>.jfr, and write DIR/<service>-top-frames.txt (self time, top platform frames).
set -euo pipefail
export OMP_WAIT_POLICY=PASSIVE   # as in the worker image: PyTorch threads must not spin on shared cores
cd "$(dirname "$0")/.."
bash stack/up.sh
bash stack/install-interop-deps.sh
./mvnw -q -B install -DskipTests
# BENCH_MODEL=pneumonia-v1: the worker and the bare model both run that shipped version (issue 14's targets are
# stated against v1); default: the worker's default version. Services already running are restarted (they would run
# the jars from before the install above, or another model), and stopped at the end.
bash stack/services.sh stop ingest-service inference-worker results-service
trap 'bash stack/services.sh stop inference-worker ingest-service results-service' EXIT
# (set only with BENCH_MODEL: an empty ALVEOLUS_MODEL_PIN_DEFAULT is not "false" to the service, it fails to start)
model_env=()
if [[ -n ${BENCH_MODEL:-} ]]; then model_env=(ALVEOLUS_MODEL_VERSION="$BENCH_MODEL" ALVEOLUS_MODEL_PIN_DEFAULT=true); fi
env "${model_env[@]}" bash stack/services.sh start ingest-service inference-worker results-service
cp=$(./mvnw -q -B -pl bench dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
java -Xmx1g -Dai.djl.offline=true ${BENCH_JFR:+-Djfr=$BENCH_JFR} -Dmodel="${BENCH_MODEL:-}" -Dhttp="${BENCH_HTTP:-1.1}" -DwarmupRounds="${BENCH_WARMUP_ROUNDS:-40}" -Dimages="${1:-500}" -Dwarmup="${2:-300}" -cp "bench/target/classes:$cp" io.alveolus.bench.PipelineBench \
  "${ALVEOLUS_DATA_DIR:-$(cd .. && pwd)/shared/data/cxr-kermany224}"
