#!/usr/bin/env bash
# C-STORE load (issue 15): 200 chest X-ray instances over 4 concurrent associations (dcmtk's storescu) to St Mary's
# AE title; prints instances/s accepted and checks every one ends as exactly one COMPLETED analysis.
#   bench/cstore.sh [instances] [associations]     (defaults 200 and 4)
set -euo pipefail
export OMP_WAIT_POLICY=PASSIVE
cd "$(dirname "$0")/.."
bash stack/up.sh
bash stack/install-interop-deps.sh
./mvnw -q -B install -DskipTests
bash stack/services.sh stop ingest-service inference-worker results-service
trap 'bash stack/services.sh stop inference-worker ingest-service results-service' EXIT
bash stack/services.sh start ingest-service inference-worker results-service
cp=$(./mvnw -q -B -pl bench dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
java -Xmx512m -Dimages="${1:-200}" -Dassociations="${2:-4}" -cp "bench/target/classes:$cp" io.alveolus.bench.CStoreBench \
  "${ALVEOLUS_DATA_DIR:-$(cd .. && pwd)/shared/data/cxr-kermany224}"
