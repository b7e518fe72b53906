#!/usr/bin/env bash
# Fair-sharing benchmark: hospital A floods routine studies, hospital B sends urgent ones; prints B's latency
# p50/p95 alone, during the flood with the urgent lane, and during the flood without it (all in this one run).
#   bench/fairness.sh [flood-images] [urgent-studies] [queued|arriving]     (default 2000, 20, queued)
# queued: the flood is already in Kafka (the worker was stopped while it arrived) and drains while B sends;
# arriving: A uploads while B sends, so they also compete for ingest and the cores.
set -euo pipefail
export OMP_WAIT_POLICY=PASSIVE   # as in the worker image: PyTorch threads must not spin on shared cores
cd "$(dirname "$0")/.."
bash stack/up.sh
bash stack/install-interop-deps.sh
./mvnw -q -B install -DskipTests
bash stack/services.sh start ingest-service inference-worker results-service
cp=$(./mvnw -q -B -pl bench dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
java -Xmx1g -Dflood="${1:-2000}" -Durgent="${2:-20}" -Dmode="${3:-queued}" -cp "bench/target/classes:$cp" io.alveolus.bench.FairnessBench \
  "${ALVEOLUS_DATA_DIR:-$(cd .. && pwd)/shared/data/cxr-kermany224}"
