#!/usr/bin/env bash
# Stops exactly the processes stack/up.sh started (data stays; pass --wipe to delete it too).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for svc in keycloak s3proxy kafka; do stop_bg "$svc"; done
if [[ -f $DATA/postgres/postmaster.pid ]]; then
  as_postgres "$(pg_bin)/pg_ctl" -D "$DATA/postgres" -m fast -w stop >/dev/null 2>&1 && say "PostgreSQL stopped"
fi
if [[ ${1:-} == --wipe ]]; then
  rm -rf "$DATA" "$DIST"/keycloak-*/data/h2 "$DIST"/keycloak-*/data/realm.sha256 "$STACK_DIR/run"; say "data wiped"
fi
