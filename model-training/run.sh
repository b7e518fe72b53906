#!/usr/bin/env bash
# Runs the model CLI (io.alveolus.training.Main) with the classpath resolved by Maven.
# Usage: model-training/run.sh <train|evaluate|bench> [options]   (see --help)
# Builds model + model-training first unless ALVEOLUS_SKIP_BUILD=1. JVM options: JAVA_OPTS (default -Xmx6g).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
CP_FILE="$HERE/target/classpath.txt"
if [[ "${ALVEOLUS_SKIP_BUILD:-0}" != "1" || ! -f "$CP_FILE" ]]; then
  # builds only what the CLI needs (works even while service modules are mid-edit)
  # -pl model,interop -am: the model, the DICOM decoder the worker uses (feedback exports hold DICOM), their parents
  "$ROOT/mvnw" -q -f "$ROOT/pom.xml" -pl model,interop -am install -DskipTests >&2
  "$ROOT/mvnw" -q -f "$HERE/pom.xml" package -DskipTests >&2
  "$ROOT/mvnw" -q -f "$HERE/pom.xml" dependency:build-classpath -Dmdep.outputFile="$CP_FILE" >&2
fi
# PyTorch's OpenMP threads must not spin on shared / oversubscribed CPUs (6x slower steps measured otherwise)
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
exec java ${JAVA_OPTS:--Xmx6g} -Dai.djl.offline=true -Dalveolus.repo="$ROOT" -cp "$HERE/target/classes:$(cat "$CP_FILE")" \
  io.alveolus.training.Main "$@"
