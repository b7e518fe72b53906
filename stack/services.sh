#!/usr/bin/env bash
# Starts / stops the four Alveolus services from their built jars (./mvnw package first), against the stack.
#   stack/services.sh start [service...]   stack/services.sh stop [service...]   stack/services.sh status
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ALL=(ingest-service inference-worker results-service frontend-api)
declare -A PORT=([frontend-api]=8080 [ingest-service]=8081 [inference-worker]=8082 [results-service]=8083)
declare -A HEAP=([frontend-api]=256m [ingest-service]=384m [inference-worker]=1g [results-service]=384m)

start() {
  local svc=$1 jar="$ROOT/$1/target/quarkus-app/quarkus-run.jar"
  if running "$svc"; then say "$svc already running"; return; fi
  [[ -f $jar ]] || fail "$jar is missing: build first with ./mvnw -q package -DskipTests"
  require_free_port "${PORT[$svc]}" "$svc"
  # ALVEOLUS_TASKSET=CPUS pins the started JVMs to those cores (bench/worker-pinned.sh); ALVEOLUS_JAVA_OPTS adds
  # JVM options (e.g. PyTorch's thread counts). PyTorch's OpenMP threads must not spin-wait: on a few shared cores
  # that starves every other process.
  local pin=()
  if [[ -n ${ALVEOLUS_TASKSET:-} ]]; then pin=(taskset -c "$ALVEOLUS_TASKSET"); fi
  # shellcheck disable=SC2086 # ALVEOLUS_JAVA_OPTS is a list of options
  OMP_WAIT_POLICY=PASSIVE start_bg "$svc" "$svc/target/quarkus-app" "$LOGS/$svc.log" \
    "${pin[@]}" java "-Xmx${HEAP[$svc]}" -Dai.djl.offline=true ${ALVEOLUS_JAVA_OPTS:-} -jar "$jar"
}

wait_ready() {
  local svc=$1
  wait_until 180 "$svc" curl -sf "http://127.0.0.1:${PORT[$svc]}/q/health/ready" \
    || fail "$svc did not become ready; see $LOGS/$svc.log"
  say "$svc ready on http://127.0.0.1:${PORT[$svc]}"
}

cmd=${1:-status}; shift || true
svcs=("$@"); (( ${#svcs[@]} )) || svcs=("${ALL[@]}")
case $cmd in
  start) for s in "${svcs[@]}"; do start "$s"; done; for s in "${svcs[@]}"; do wait_ready "$s"; done ;;
  stop) for s in "${svcs[@]}"; do stop_bg "$s"; done ;;
  status) for s in "${svcs[@]}"; do
            if running "$s"; then echo "$s running (pid $(cat "$PIDS/$s.pid"), port ${PORT[$s]})"; else echo "$s stopped"; fi
          done ;;
  *) fail "usage: stack/services.sh start|stop|status [service...]" ;;
esac
