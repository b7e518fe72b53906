#!/usr/bin/env bash
# Renders helm/alveolus into the plain manifests under k8s/ (one file per environment), so that they are
# always exactly what the chart produces. `mvn verify` fails (RenderedManifestsUpToDateTest) when they are stale.
#
#   k8s/render.sh           rewrite k8s/<env>/alveolus.yaml
#   k8s/render.sh --check   only report; exit 1 if any file is stale
#
# Needs Java 17 and Maven (or the wrapper); Helm itself runs inside the JVM (helm-java), no helm binary.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ -x ./mvnw ]] && [[ "${ALVEOLUS_USE_SYSTEM_MVN:-}" != "1" ]]; then mvn=./mvnw; else mvn=mvn; fi
mode=write
if [[ "${1:-}" == "--check" ]]; then mode=check; fi
exec "$mvn" -q -f deploy-check/pom.xml compile exec:java -Dalveolus.render.mode="$mode"
