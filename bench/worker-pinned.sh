#!/usr/bin/env bash
# The worker alone, pinned with taskset to one core, draining a queue filled before it started, against the bare
# model pinned to that same core (issue 14, point 4; the fairness bench's queued mode, measured per core).
# Both use one PyTorch intra-op thread on that core; everything else (ingest, Kafka, PostgreSQL, the object store)
# runs on the other cores while the queue drains, as it would on a worker node of its own.
#   bench/worker-pinned.sh [images] [core]     (defaults 400 and 1; BENCH_MODEL=pneumonia-v1 as in pipeline.sh)
# BENCH_WARMUP (10000) warm-up images are queued first and drained before the measured ones (not measured: JIT
# warm-up, whose compiler threads share the pinned core).
set -euo pipefail
export OMP_WAIT_POLICY=PASSIVE
cd "$(dirname "$0")/.."
images=${1:-400}
core=${2:-1}
command -v taskset >/dev/null || { echo "taskset (util-linux) is needed" >&2; exit 1; }
bash stack/up.sh
bash stack/install-interop-deps.sh
./mvnw -q -B install -DskipTests
bash stack/services.sh stop inference-worker ingest-service results-service
trap 'bash stack/services.sh stop inference-worker ingest-service results-service' EXIT
bash stack/services.sh start ingest-service results-service
cp=$(./mvnw -q -B -pl bench dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
data="${ALVEOLUS_DATA_DIR:-$(cd .. && pwd)/shared/data/cxr-kermany224}"
run() { java -Xmx1g -Dai.djl.offline=true -Dmodel="${BENCH_MODEL:-}" -Dimages="$images" "$@" \
  -cp "bench/target/classes:$cp" io.alveolus.bench.PinnedWorkerBench "$data"; }
run -Dphase=fill -Dwarmup="${BENCH_WARMUP:-10000}"
# (the rates are read from the phases' output while it is shown: tee to a process of its own, not to /dev/stderr,
# which, when the output goes to a file, opens that file again at offset 0 and overwrites what was logged before)
# The bare model is measured right before and right after the worker, on the same core: this machine's speed moves
# from one run to the next (168 to 257 images/s for the same pinned bare model, stop 20 and stop 23), and a ratio against one
# measurement taken minutes away from the worker's would carry that drift. The ratio is against their mean.
bare() {
  echo "== bare model pinned to core $core (1 PyTorch thread), $1 the worker ==" >&2
  taskset -c "$core" java -Xmx1g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 \
    -Dai.djl.pytorch.num_interop_threads=1 -Dmodel="${BENCH_MODEL:-}" -Dphase=bare \
    -cp "bench/target/classes:$cp" io.alveolus.bench.PinnedWorkerBench "$data" | tee >(cat >&2) \
    | sed -n 's/^PINNED_BARE_RATE=//p'
}
before=$(bare before)
echo "== worker pinned to core $core (1 PyTorch thread; host threads as configured) =="
# (the model's settings only with BENCH_MODEL: an empty ALVEOLUS_MODEL_PIN_DEFAULT fails the service's start)
model_env=()
if [[ -n ${BENCH_MODEL:-} ]]; then model_env=(ALVEOLUS_MODEL_VERSION="$BENCH_MODEL" ALVEOLUS_MODEL_PIN_DEFAULT=true); fi
env "${model_env[@]}" ALVEOLUS_TASKSET="$core" \
  ALVEOLUS_JAVA_OPTS="-Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1" \
  bash stack/services.sh start inference-worker
worker=$(run -Dphase=drain | tee >(cat >&2) | sed -n 's/^PINNED_WORKER_RATE=//p')
bash stack/services.sh stop inference-worker
after=$(bare after)
awk -v w="$worker" -v b1="$before" -v b2="$after" 'BEGIN { b = (b1 + b2) / 2; printf "\nsummary: pinned worker %.1f images/s = %.2fx the pinned bare model %.1f images/s (mean of %.1f before and %.1f after the worker; target >= 0.65, issue 14)\n", w, w / b, b, b1, b2 }'
