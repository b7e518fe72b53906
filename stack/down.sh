#!/usr/bin/env bash
# Stops exactly the processes stack/up.sh started; data stays.
#   stack/down.sh                       everything        stack/down.sh kafka postgres   only those
#   stack/down.sh --wipe                everything, and delete the data too
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
wipe=0; svcs=()
for a in "$@"; do if [[ $a == --wipe ]]; then wipe=1; else svcs+=("$a"); fi; done
(( ${#svcs[@]} )) || svcs=(orthanc-northside orthanc keycloak s3proxy kafka postgres)
for svc in "${svcs[@]}"; do
  case $svc in
    postgres)
      if [[ -f $DATA/postgres/postmaster.pid ]]; then
        as_postgres "$(pg_bin)/pg_ctl" -D "$DATA/postgres" -m fast -w stop >/dev/null 2>&1 && say "PostgreSQL stopped"
      fi ;;
    orthanc|orthanc-northside|keycloak|s3proxy|kafka) stop_bg "$svc" ;;
    *) fail "unknown service '$svc' (orthanc, orthanc-northside, keycloak, s3proxy, kafka, postgres)" ;;
  esac
done
if (( wipe )); then
  rm -rf "$DATA" "$DIST"/keycloak-*/data/h2 "$DIST"/keycloak-*/data/realm.sha256 "$STACK_DIR/run"; say "data wiped"
fi
