#!/usr/bin/env bash
# Starts the local Alveolus stack on loopback: PostgreSQL, Kafka (KRaft), S3Proxy, Keycloak, Orthanc (the dev PACS).
# Installs what is missing on first use; idempotent; everything lives under .stack/ (git-ignored).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TOPICS=("alveolus.image-received:6" "alveolus.image-received.urgent:3" "alveolus.image-received.dlq:1" "alveolus.analysis-completed:3")

install_prereqs() {
  local need=()
  [[ -n $(pg_bin) ]] || need+=(postgresql)
  command -v unzip >/dev/null || need+=(unzip)
  command -v curl >/dev/null || need+=(curl)
  command -v runuser >/dev/null || need+=(util-linux)
  command -v Orthanc >/dev/null || need+=(orthanc)
  [[ -f /usr/share/orthanc/plugins/libOrthancDicomWeb.so ]] || need+=(orthanc-dicomweb)
  (( ${#need[@]} == 0 )) || apt_install "${need[@]}"
}

fetch_dists() {
  if [[ ! -f $DIST/kafka/.complete ]]; then
    say "fetching Kafka $KAFKA_VERSION broker jars from Maven Central"
    rm -rf "$DIST/kafka"
    $MVN -f "$ROOT/stack/deps/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$DIST/kafka/lib"
    touch "$DIST/kafka/.complete"
  fi
  if [[ ! -f $DIST/s3proxy/.complete ]]; then
    say "fetching S3Proxy from Maven Central"
    rm -rf "$DIST/s3proxy"
    $MVN -f "$ROOT/stack/deps/s3proxy/pom.xml" dependency:copy-dependencies -DoutputDirectory="$DIST/s3proxy/lib"
    touch "$DIST/s3proxy/.complete"
  fi
  if [[ ! -f $DIST/keycloak-$KC_VERSION/.complete ]]; then
    if [[ ! -f $DIST/keycloak-quarkus-dist-$KC_VERSION.zip ]]; then
      say "fetching Keycloak $KC_VERSION (176 MB) from Maven Central"
      $MVN -f "$ROOT/stack/deps/kafka/pom.xml" dependency:copy \
        -Dartifact="org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" -DoutputDirectory="$DIST"
    fi
    rm -rf "$DIST/keycloak-$KC_VERSION"
    unzip -q "$DIST/keycloak-quarkus-dist-$KC_VERSION.zip" -d "$DIST"
    touch "$DIST/keycloak-$KC_VERSION/.complete"
  fi
}

start_postgres() {
  local bin; bin=$(pg_bin)
  local pgdata="$DATA/postgres" sock="$STACK_DIR/run/postgres"
  mkdir -p "$sock"
  if [[ -f $pgdata/postmaster.pid ]] && as_postgres "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
    say "PostgreSQL already running"; return
  fi
  require_free_port "$PG_PORT" PostgreSQL
  if [[ ! -f $pgdata/PG_VERSION ]]; then
    say "initialising PostgreSQL data in $pgdata"
    mkdir -p "$pgdata"
    [[ $(id -u) == 0 ]] && chown -R postgres:postgres "$pgdata" "$sock" "$LOGS"
    chmod 700 "$pgdata"
    as_postgres "$bin/initdb" -D "$pgdata" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >/dev/null
  fi
  [[ $(id -u) == 0 ]] && chown postgres:postgres "$sock" "$LOGS"
  touch "$LOGS/postgres.log"; [[ $(id -u) == 0 ]] && chown postgres "$LOGS/postgres.log"
  as_postgres "$bin/pg_ctl" -D "$pgdata" -l "$LOGS/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -k $sock -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
    || fail "PostgreSQL did not start; see $LOGS/postgres.log"
  local psql=("$bin/psql" -h "$sock" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
  if [[ -z $(as_postgres "${psql[@]}" -c "select 1 from pg_roles where rolname='$PG_USER'") ]]; then
    as_postgres "${psql[@]}" -c "create role $PG_USER login password '$PG_PASSWORD'" >/dev/null
  fi
  if [[ -z $(as_postgres "${psql[@]}" -c "select 1 from pg_database where datname='$PG_DB'") ]]; then
    as_postgres "${psql[@]}" -c "create database $PG_DB owner $PG_USER" >/dev/null
  fi
}

start_kafka() {
  if running kafka; then say "Kafka already running"; return; fi
  require_free_port "$KAFKA_PORT" Kafka; require_free_port "$KAFKA_CONTROLLER_PORT" "Kafka controller"
  local conf="$STACK_DIR/conf/kafka.properties"
  mkdir -p "$STACK_DIR/conf"
  cat > "$conf" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA/kafka
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
default.replication.factor=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
  local cp="$DIST/kafka/lib/*"
  if [[ ! -f $DATA/kafka/meta.properties ]]; then
    local id; id=$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    java -cp "$cp" kafka.tools.StorageTool format -t "$id" -c "$conf" >/dev/null 2>&1 || fail "Kafka storage format failed"
  fi
  start_bg kafka "kafka.Kafka" "$LOGS/kafka.log" java -Xms128m -Xmx512m \
    -Dlog4j2.configurationFile="$ROOT/stack/conf/kafka-log4j2.yaml" -cp "$cp" kafka.Kafka "$conf"
}

kafka_topics() {
  java -Xmx128m -Dlog4j2.configurationFile="$ROOT/stack/conf/kafka-log4j2.yaml" -cp "$DIST/kafka/lib/*" \
    org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" "$@"
}

start_s3() {
  if running s3proxy; then say "S3Proxy already running"; return; fi
  require_free_port "$S3_PORT" S3Proxy
  mkdir -p "$DATA/s3" "$STACK_DIR/conf"
  cat > "$STACK_DIR/conf/s3proxy.properties" <<PROPS
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS_KEY
s3proxy.credential=$S3_SECRET_KEY
jclouds.provider=filesystem
jclouds.filesystem.basedir=$DATA/s3
PROPS
  start_bg s3proxy "org.gaul.s3proxy.Main" "$LOGS/s3proxy.log" java -Xms64m -Xmx256m \
    -Dlogback.configurationFile="$ROOT/stack/conf/s3proxy-logback.xml" -cp "$DIST/s3proxy/lib/*" \
    org.gaul.s3proxy.Main --properties "$STACK_DIR/conf/s3proxy.properties"
}

start_keycloak() {
  if running keycloak; then say "Keycloak already running"; return; fi
  require_free_port "$KC_PORT" Keycloak; require_free_port "$KC_MGMT_PORT" "Keycloak management"
  local kc="$DIST/keycloak-$KC_VERSION"
  mkdir -p "$kc/data/import"
  # Realms are imported only when absent: changed realm files mean a fresh Keycloak database.
  local sum; sum=$(cat "$ROOT"/stack/keycloak/*-realm.json | sha256sum | cut -d' ' -f1)
  if [[ $(cat "$kc/data/realm.sha256" 2>/dev/null) != "$sum" ]]; then
    rm -rf "$kc/data/h2" "$kc/data/import"/*.json; cp "$ROOT"/stack/keycloak/*-realm.json "$kc/data/import/"
    echo "$sum" > "$kc/data/realm.sha256"
  fi
  JAVA_OPTS_KC_HEAP="-Xms64m -Xmx768m" KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin \
    start_bg keycloak "keycloak" "$LOGS/keycloak.log" "$kc/bin/kc.sh" start-dev \
      --http-port="$KC_PORT" --http-management-port="$KC_MGMT_PORT" --hostname="http://127.0.0.1:$KC_PORT" \
      --health-enabled=true --import-realm
}

# Orthanc from Debian with its DICOMweb plugin, as the dev tenants' PACS: results go back to it by STOW-RS or
# C-STORE (issue 15), and tests read what arrived through its REST API. Loopback only, no authentication (the
# REST API is open to this machine alone), its own storage under .stack/data/orthanc.
start_orthanc() { # service name, HTTP port, DICOM port, AE title, display name
  local svc=$1 http=$2 dicom=$3 aet=$4 name=$5
  if running "$svc"; then say "$name already running"; return; fi
  require_free_port "$http" "$name"; require_free_port "$dicom" "$name DICOM"
  mkdir -p "$DATA/$svc" "$STACK_DIR/conf/$svc"
  cat > "$STACK_DIR/conf/$svc/orthanc.json" <<JSON
{
  "Name": "$name",
  "StorageDirectory": "$DATA/$svc",
  "IndexDirectory": "$DATA/$svc",
  "HttpPort": $http,
  "DicomPort": $dicom,
  "DicomAet": "$aet",
  "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false,
  "HttpServerEnabled": true,
  "DicomServerEnabled": true,
  "DicomCheckCalledAet": false,
  "Plugins": [ "/usr/share/orthanc/plugins/libOrthancDicomWeb.so" ],
  "DicomWeb": { "Enable": true, "Root": "/dicom-web/", "EnableWado": true, "Ssl": false },
  "StableAge": 5
}
JSON
  # the marker names this instance's own config: two Orthancs run side by side
  start_bg "$svc" "conf/$svc/orthanc.json" "$LOGS/$svc.log" Orthanc "$STACK_DIR/conf/$svc/orthanc.json"
}

install_prereqs
fetch_dists
start_postgres
start_kafka
start_s3
start_keycloak
start_orthanc orthanc "$ORTHANC_HTTP_PORT" "$ORTHANC_DICOM_PORT" DEVPACS ALVEOLUS-DEV-PACS
start_orthanc orthanc-northside "$ORTHANC_NS_HTTP_PORT" "$ORTHANC_NS_DICOM_PORT" NSPACS ALVEOLUS-NORTHSIDE-PACS

wait_until 60 Kafka port_open "$KAFKA_PORT" || fail "Kafka did not open port $KAFKA_PORT; see $LOGS/kafka.log"
for t in "${TOPICS[@]}"; do
  kafka_topics --create --if-not-exists --topic "${t%%:*}" --partitions "${t##*:}" --replication-factor 1 >/dev/null 2>&1 \
    || fail "could not create topic ${t%%:*}; see $LOGS/kafka.log"
done
wait_until 60 S3Proxy curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/" || fail "S3Proxy not ready; see $LOGS/s3proxy.log"
wait_until 60 Orthanc curl -sf "http://127.0.0.1:$ORTHANC_HTTP_PORT/system" || fail "Orthanc not ready; see $LOGS/orthanc.log"
wait_until 60 "Northside's Orthanc" curl -sf "http://127.0.0.1:$ORTHANC_NS_HTTP_PORT/system" \
  || fail "Northside's Orthanc not ready; see $LOGS/orthanc-northside.log"
say "waiting for Keycloak (first start builds it: about a minute)"
wait_until 240 Keycloak curl -sf "http://127.0.0.1:$KC_MGMT_PORT/health/ready" || fail "Keycloak not ready; see $LOGS/keycloak.log"
wait_until 60 realm curl -sf "http://127.0.0.1:$KC_PORT/realms/alveolus/.well-known/openid-configuration" \
  || fail "realm 'alveolus' not served; see $LOGS/keycloak.log"

cat > "$STACK_DIR/endpoints.env" <<ENV
ALVEOLUS_PG_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/$PG_DB
KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT
ALVEOLUS_S3_ENDPOINT=http://127.0.0.1:$S3_PORT
ALVEOLUS_OIDC_URL=http://127.0.0.1:$KC_PORT/realms/alveolus
ALVEOLUS_DEV_PACS_URL=http://127.0.0.1:$ORTHANC_HTTP_PORT
ENV
say "ready:"
printf '  %-11s %s\n' PostgreSQL "127.0.0.1:$PG_PORT  db=$PG_DB user=$PG_USER" \
  Kafka "127.0.0.1:$KAFKA_PORT  topics: ${TOPICS[*]%%:*}" \
  S3 "http://127.0.0.1:$S3_PORT  access key $S3_ACCESS_KEY" \
  Keycloak "http://127.0.0.1:$KC_PORT  realm alveolus (admin/admin)" \
  Orthanc "http://127.0.0.1:$ORTHANC_HTTP_PORT  (DICOMweb /dicom-web/), DICOM AE DEVPACS port $ORTHANC_DICOM_PORT: St Mary's PACS" \
  Orthanc "http://127.0.0.1:$ORTHANC_NS_HTTP_PORT  DICOM AE NSPACS port $ORTHANC_NS_DICOM_PORT: Northside's PACS (C-STORE)" \
  Logs "$LOGS"
