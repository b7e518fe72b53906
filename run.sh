#!/usr/bin/env bash
# The platform's main job on one machine: start the stack and the four services, send real chest X-rays
# through the pipeline as a hospital device would, and show the results. Leaves everything running. The shared
# images are the Kermany paediatric set (children aged 1-5): they are sent with patientAge 3, so the worker reads
# them at the paediatric operating point rather than the default one for an unknown age.
#   ./run.sh [number-of-images-per-class]     (stop with: stack/services.sh stop && stack/down.sh)
set -euo pipefail
cd "$(dirname "$0")"
N=${1:-3}
DATA=${ALVEOLUS_DATA_DIR:-$(cd .. && pwd)/shared/data/cxr-kermany224}
KC=http://127.0.0.1:18180/realms/alveolus/protocol/openid-connect/token

bash stack/up.sh
bash stack/install-interop-deps.sh
echo "[run] building the services (first build downloads dependencies)"
./mvnw -q -B install -DskipTests
bash stack/services.sh start

device=$(curl -sf -d grant_type=client_credentials -d client_id=device-st-marys \
  -d client_secret=st-marys-device-secret "$KC" | python3 -c 'import sys,json;print(json.load(sys.stdin)["access_token"])')
run=$(date +%s)
ids=()
for label in NORMAL PNEUMONIA; do
  for f in $(ls "$DATA/$label" | sort | head -n "$N"); do
    id=$(curl -sf -H "Authorization: Bearer $device" -F "file=@$DATA/$label/$f" -F "studyId=DEMO-$run-${#ids[@]}" \
      -F "patientRef=PSEUDO-${#ids[@]}" -F patientAge=3 -F referringPhysician=alice -F priority=ROUTINE http://127.0.0.1:8081/api/images \
      | python3 -c 'import sys,json;print(json.load(sys.stdin)["analysisId"])')
    echo "[run] uploaded $label/$f -> analysis $id"
    ids+=("$id")
  done
done

physician=$(curl -sf -d grant_type=password -d client_id=alveolus-cli -d username=alice -d password=alveolus "$KC" \
  | python3 -c 'import sys,json;print(json.load(sys.stdin)["access_token"])')
echo "[run] waiting for the worker"
for _ in $(seq 1 120); do
  pending=$(curl -sf -H "Authorization: Bearer $physician" "http://127.0.0.1:8083/api/analyses?size=200" \
    | python3 -c "import sys,json; ids=set('${ids[*]}'.split()); print(sum(1 for a in json.load(sys.stdin)['items'] if a['id'] in ids and a['status'] not in ('COMPLETED','FAILED')))")
  [[ $pending == 0 ]] && break
  sleep 1
done
curl -sf -H "Authorization: Bearer $physician" "http://127.0.0.1:8083/api/analyses?size=200" | python3 -c "
import sys, json
ids = set('${ids[*]}'.split())
print(f\"{'analysis':36}  {'study':18} {'status':10} {'p(pneumonia)':>12}  flagged  model\")
for a in json.load(sys.stdin)['items']:
    if a['id'] in ids:
        p = '' if a['probability'] is None else f\"{a['probability']:.3f}\"
        print(f\"{a['id']:36}  {a['studyId']:18} {a['status']:10} {p:>12}  {str(a['positive']):7}  {a['modelVersion']}\")
"
cat <<MSG

Portal:      http://127.0.0.1:8080  (log in as alice / alveolus; bob / alveolus is another hospital)
Results API: http://127.0.0.1:8083/q/swagger-ui   Ingest API: http://127.0.0.1:8081/q/swagger-ui
Stop:        stack/services.sh stop && stack/down.sh
MSG
