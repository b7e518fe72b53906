# Shared helpers for the local stack scripts. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_DIR="${ALVEOLUS_STACK_DIR:-$ROOT/.stack}"
DIST="$STACK_DIR/dist"
DATA="$STACK_DIR/data"
LOGS="$STACK_DIR/logs"
PIDS="$STACK_DIR/pids"
mkdir -p "$DIST" "$DATA" "$LOGS" "$PIDS"

# Fixed loopback ports; the services' application.properties use the same numbers.
PG_PORT=15432
KAFKA_PORT=19092
KAFKA_CONTROLLER_PORT=19093
S3_PORT=19000
KC_PORT=18180
KC_MGMT_PORT=18190
# Orthanc: the dev tenants' PACS (issue 15), REST + DICOMweb on HTTP, DICOM on its own port
ORTHANC_HTTP_PORT=18042
ORTHANC_DICOM_PORT=14242
# a second Orthanc: Northside's own PACS, reached by C-STORE (St Mary's gets STOW-RS on the first)
ORTHANC_NS_HTTP_PORT=18043
ORTHANC_NS_DICOM_PORT=14243

KAFKA_VERSION=4.4.0
KC_VERSION=26.7.3
S3_ACCESS_KEY=alveolus
S3_SECRET_KEY=alveolus-dev-secret
PG_USER=alveolus
PG_PASSWORD=alveolus
PG_DB=alveolus

MVN="$ROOT/mvnw -q -B"

say()  { printf '\033[1m[stack]\033[0m %s\n' "$*"; }
fail() { printf '\033[31m[stack] %s\033[0m\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A port held by something we did not start is a clear error, not a silent clash.
require_free_port() {
  local port=$1 name=$2
  if port_open "$port"; then
    local who=""
    command -v ss >/dev/null && who=$(ss -ltnpH "sport = :$port" 2>/dev/null | sed -n 's/.*users:((\(.*\)).*/\1/p' | head -1)
    fail "port $port (for $name) is already in use${who:+ by $who}. Stop that process, or run stack/down.sh if it is an old Alveolus stack."
  fi
}

# pid file holds the leader of a process group started with setsid; checks it is still ours.
running() {
  local name=$1 f="$PIDS/$1.pid"
  [[ -f $f ]] || return 1
  local pid; pid=$(cat "$f")
  [[ -d /proc/$pid ]] && grep -qa "$(cat "$PIDS/$name.marker" 2>/dev/null || echo "$name")" "/proc/$pid/cmdline" 2>/dev/null
}

start_bg() { # name marker logfile cmd...
  local name=$1 marker=$2 log=$3; shift 3
  echo "$marker" > "$PIDS/$name.marker"
  setsid nohup "$@" >>"$log" 2>&1 < /dev/null &
  echo $! > "$PIDS/$name.pid"
}

stop_bg() {
  local name=$1 f="$PIDS/$1.pid"
  if running "$name"; then
    local pid; pid=$(cat "$f")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do [[ -d /proc/$pid ]] || break; sleep 0.5; done
    [[ -d /proc/$pid ]] && { kill -KILL -- "-$pid" 2>/dev/null || true; }
    say "$name stopped"
  fi
  rm -f "$f" "$PIDS/$name.marker"
}

wait_until() { # seconds description command...
  local secs=$1 what=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < end )) || return 1
    sleep 0.5
  done
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

as_postgres() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

apt_install() {
  local pkgs=("$@")
  say "installing Debian packages: ${pkgs[*]}"
  local sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${pkgs[@]}" >/dev/null
}
