{{/*
The design: which flows each service needs. NetworkPolicies, env and KafkaUsers are derived from it.
  inbound:  who may open connections to the service (besides kubelet probes)
  outbound: what the service connects to
  kafka:    topics (keys of kafka.topics) it produces and consumes, and its consumer group(s) (keys of
            alveolus.consumerGroups; one, or a list when it consumes with several groups)
*/}}
{{- define "alveolus.design" -}}
ingest:
  component: ingest
  inbound: [ingressController, frontend, monitoring]
  outbound: [kafka, postgres, objectStore, keycloak]
  oidcClient: ingest
  kafka:
    produce: [imageReceived, imageReceivedUrgent]
    consume: []
worker:
  component: inference
  inbound: [monitoring]
  outbound: [kafka, postgres, objectStore]
  kafka:
    produce: [analysisCompleted, imageReceivedDlq]
    consume: [imageReceived, imageReceivedUrgent]
    group: [inference, inferenceUrgent]
results:
  component: results
  inbound: [ingressController, frontend, monitoring]
  outbound: [kafka, postgres, objectStore, keycloak]
  oidcClient: results
  kafka:
    produce: []
    consume: [analysisCompleted]
    group: metering
frontend:
  component: portal
  inbound: [ingressController, monitoring]
  outbound: [kafka, keycloak, results, ingest]
  oidcClient: portal
  kafka:
    produce: []
    consume: [analysisCompleted]
    group: portal
{{- end -}}

{{/* Consumer group names by the keys the design uses. Context: root */}}
{{- define "alveolus.consumerGroups" -}}
inference: {{ .Values.kafka.inferenceConsumerGroup | quote }}
inferenceUrgent: {{ .Values.kafka.urgentInferenceConsumerGroup | quote }}
portal: {{ .Values.kafka.portalConsumerGroup | quote }}
metering: {{ .Values.kafka.meteringConsumerGroup | quote }}
{{- end -}}

{{- define "alveolus.serviceKeys" -}}
{{- list "ingest" "worker" "results" "frontend" | toJson -}}
{{- end -}}

{{/* Chart label value */}}
{{- define "alveolus.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of one service's objects: <release>-<service name>. Context: dict root key */}}
{{- define "alveolus.fullname" -}}
{{- $svc := index .root.Values.services .key -}}
{{- printf "%s-%s" .root.Release.Name $svc.name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels common to every object of the release. Context: root */}}
{{- define "alveolus.commonLabels" -}}
helm.sh/chart: {{ include "alveolus.chart" . }}
app.kubernetes.io/part-of: alveolus
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Selector labels of one service. Context: dict root key */}}
{{- define "alveolus.selectorLabels" -}}
{{- $svc := index .root.Values.services .key -}}
app.kubernetes.io/name: {{ $svc.name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* All labels of one service's objects. Context: dict root key */}}
{{- define "alveolus.labels" -}}
{{- $design := index (include "alveolus.design" .root | fromYaml) .key -}}
{{ include "alveolus.selectorLabels" . }}
app.kubernetes.io/component: {{ $design.component }}
app.kubernetes.io/part-of: alveolus
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
helm.sh/chart: {{ include "alveolus.chart" .root }}
{{- end -}}

{{/* Image reference of one service. Context: dict root key */}}
{{- define "alveolus.image" -}}
{{- $root := .root -}}
{{- $svc := index $root.Values.services .key -}}
{{- $tag := $root.Values.image.tag | default $root.Chart.AppVersion -}}
{{- if and (eq .key "worker") $root.Values.gpu.enabled -}}
{{- $tag = printf "%s%s" $tag $root.Values.gpu.imageTagSuffix -}}
{{- end -}}
{{- printf "%s/%s:%s" $root.Values.image.registry $svc.image $tag -}}
{{- end -}}

{{/* Whether a service's replica count is owned by an autoscaler ("true" or ""). Context: dict root key */}}
{{- define "alveolus.autoscaled" -}}
{{- $svc := index .root.Values.services .key -}}
{{- if eq .key "worker" -}}
{{- if has $svc.autoscaling.mode (list "keda" "hpa") }}true{{ end -}}
{{- else -}}
{{- if $svc.autoscaling.enabled }}true{{ end -}}
{{- end -}}
{{- end -}}

{{/* Name of the Secret Strimzi writes for a service's KafkaUser. Context: dict root key */}}
{{- define "alveolus.kafkaUserSecret" -}}
{{- include "alveolus.fullname" . -}}
{{- end -}}

{{/* JDBC URL, with certificate verification appended when postgres.tls.verify. Context: root */}}
{{- define "alveolus.jdbcUrl" -}}
{{- $url := required "postgres.jdbcUrl is required" .Values.postgres.jdbcUrl -}}
{{- if .Values.postgres.tls.verify -}}
{{- if contains "sslmode=" $url -}}
{{- fail "postgres.jdbcUrl sets sslmode itself: leave it out when postgres.tls.verify is on" -}}
{{- end -}}
{{- $url = printf "%s%ssslmode=verify-full&sslrootcert=/etc/alveolus/postgres-ca/%s" $url (ternary "&" "?" (contains "?" $url)) .Values.postgres.tls.caSecret.key -}}
{{- end -}}
{{- $url -}}
{{- end -}}

{{/* Whether a service talks to PostgreSQL ("true" or ""). Context: dict root key */}}
{{- define "alveolus.usesPostgres" -}}
{{- if has "postgres" (index (include "alveolus.design" .root | fromYaml) .key).outbound }}true{{ end -}}
{{- end -}}

{{/* Kafka client security.protocol for the configured auth and TLS. Context: root */}}
{{- define "alveolus.kafkaSecurityProtocol" -}}
{{- $scram := eq .Values.kafka.auth.mode "scram-sha-512" -}}
{{- if .Values.kafka.tls.enabled -}}{{ ternary "SASL_SSL" "SSL" $scram }}{{- else -}}{{ ternary "SASL_PLAINTEXT" "PLAINTEXT" $scram }}{{- end -}}
{{- end -}}

{{/* Whether a service talks to Kafka ("true" or ""). Context: dict root key */}}
{{- define "alveolus.usesKafka" -}}
{{- if has "kafka" (index (include "alveolus.design" .root | fromYaml) .key).outbound }}true{{ end -}}
{{- end -}}

{{/* Environment of one service's container. Context: dict root key */}}
{{- define "alveolus.env" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $svc := index $v.services .key -}}
{{- $design := index (include "alveolus.design" $root | fromYaml) .key -}}
{{- $ram := int ($svc.maxRamPercentage | default $v.common.maxRamPercentage) }}
{{- $opts := printf "-XX:MaxRAMPercentage=%d.0 %s" $ram ($svc.javaToolOptions | default $v.common.javaToolOptions) }}
{{- if eq .key "worker" }}
{{- $opts = printf "%s -Dai.djl.pytorch.num_threads=%d -Dai.djl.pytorch.num_interop_threads=1" $opts (int $svc.torchThreads) }}
{{- end }}
- name: JAVA_TOOL_OPTIONS
  value: {{ $opts | quote }}
- name: JAVA_MAX_RAM_RATIO
  value: {{ $ram | quote }}
- name: QUARKUS_HTTP_PORT
  value: "8080"
{{- if and $v.ingress.enabled (ne .key "worker") }}
{{- /* behind the HTTPS ingress: HSTS on, X-Forwarded-* believed only from the ingress controller's addresses */}}
- name: ALVEOLUS_HTTP_HSTS
  value: "true"
- name: ALVEOLUS_PROXY_FORWARDING
  value: "true"
- name: ALVEOLUS_TRUSTED_PROXIES
  value: {{ required "ingress.trustedProxies is required" $v.ingress.trustedProxies | quote }}
{{- end }}
{{- if eq .key "results" }}
{{- /* URLs written into documents (the FHIR bundle's heat-map link) come from configuration, never from Host */}}
- name: ALVEOLUS_RESULTS_PUBLIC_URL
  value: {{ printf "https://%s" $v.ingress.hosts.api | quote }}
{{- end }}
{{- if has "kafka" $design.outbound }}
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ required "kafka.bootstrapServers is required" $v.kafka.bootstrapServers | quote }}
{{- $scram := eq $v.kafka.auth.mode "scram-sha-512" }}
{{- if or $scram $v.kafka.tls.enabled }}
- name: KAFKA_SECURITY_PROTOCOL
  value: {{ include "alveolus.kafkaSecurityProtocol" $root | quote }}
{{- end }}
{{- if $v.kafka.tls.enabled }}
- name: KAFKA_SSL_TRUSTSTORE_TYPE
  value: PEM
- name: KAFKA_SSL_TRUSTSTORE_LOCATION
  value: /etc/alveolus/kafka-ca/{{ $v.kafka.tls.caSecret.key }}
{{- end }}
{{- if $scram }}
- name: KAFKA_SASL_MECHANISM
  value: SCRAM-SHA-512
- name: KAFKA_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ include "alveolus.kafkaUserSecret" . }}
      key: sasl.jaas.config
{{- end }}
{{- end }}
{{- if eq .key "ingest" }}
- name: ALVEOLUS_TOPICS_IMAGE_RECEIVED
  value: {{ $v.kafka.topics.imageReceived.name | quote }}
- name: ALVEOLUS_TOPICS_IMAGE_RECEIVED_URGENT
  value: {{ $v.kafka.topics.imageReceivedUrgent.name | quote }}
{{- end }}
{{- if eq .key "worker" }}
- name: MP_MESSAGING_INCOMING_IMAGE_RECEIVED_TOPIC
  value: {{ $v.kafka.topics.imageReceived.name | quote }}
- name: MP_MESSAGING_INCOMING_IMAGE_RECEIVED_GROUP_ID
  value: {{ $v.kafka.inferenceConsumerGroup | quote }}
- name: MP_MESSAGING_INCOMING_IMAGE_RECEIVED_URGENT_TOPIC
  value: {{ $v.kafka.topics.imageReceivedUrgent.name | quote }}
- name: MP_MESSAGING_INCOMING_IMAGE_RECEIVED_URGENT_GROUP_ID
  value: {{ $v.kafka.urgentInferenceConsumerGroup | quote }}
- name: MP_MESSAGING_OUTGOING_ANALYSIS_COMPLETED_TOPIC
  value: {{ $v.kafka.topics.analysisCompleted.name | quote }}
- name: MP_MESSAGING_OUTGOING_IMAGE_DLQ_TOPIC
  value: {{ $v.kafka.topics.imageReceivedDlq.name | quote }}
{{- end }}
{{- if eq .key "results" }}
- name: MP_MESSAGING_INCOMING_ANALYSIS_COMPLETED_TOPIC
  value: {{ $v.kafka.topics.analysisCompleted.name | quote }}
- name: MP_MESSAGING_INCOMING_ANALYSIS_COMPLETED_GROUP_ID
  value: {{ $v.kafka.meteringConsumerGroup | quote }}
{{- end }}
{{- if has "postgres" $design.outbound }}
- name: QUARKUS_DATASOURCE_JDBC_URL
  value: {{ include "alveolus.jdbcUrl" $root | quote }}
- name: QUARKUS_DATASOURCE_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ required "postgres.credentialsSecret.name is required" $v.postgres.credentialsSecret.name }}
      key: {{ $v.postgres.credentialsSecret.usernameKey }}
- name: QUARKUS_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $v.postgres.credentialsSecret.name }}
      key: {{ $v.postgres.credentialsSecret.passwordKey }}
{{- end }}
{{- if has "objectStore" $design.outbound }}
- name: ALVEOLUS_S3_ENDPOINT
  value: {{ required "objectStore.endpoint is required" $v.objectStore.endpoint | quote }}
- name: ALVEOLUS_S3_BUCKET
  value: {{ required "objectStore.bucket is required" $v.objectStore.bucket | quote }}
- name: ALVEOLUS_S3_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ required "objectStore.credentialsSecret.name is required" $v.objectStore.credentialsSecret.name }}
      key: {{ $v.objectStore.credentialsSecret.accessKeyKey }}
- name: ALVEOLUS_S3_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $v.objectStore.credentialsSecret.name }}
      key: {{ $v.objectStore.credentialsSecret.secretKeyKey }}
{{- end }}
{{- if has "keycloak" $design.outbound }}
- name: QUARKUS_OIDC_AUTH_SERVER_URL
  value: {{ required "oidc.authServerUrl is required" $v.oidc.authServerUrl | quote }}
- name: QUARKUS_OIDC_CLIENT_ID
  value: {{ index $v.oidc.clientIds $design.oidcClient | quote }}
{{- if ne .key "frontend" }}
- name: QUARKUS_OIDC_TOKEN_AUDIENCE
  value: {{ required "oidc.apiAudience is required" $v.oidc.apiAudience | quote }}
{{- end }}
{{- if eq .key "frontend" }}
- name: QUARKUS_OIDC_CREDENTIALS_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ required "oidc.portalClientSecret.secretName is required" $v.oidc.portalClientSecret.secretName }}
      key: {{ $v.oidc.portalClientSecret.key }}
{{- end }}
{{- end }}
{{- if eq .key "worker" }}
- name: ALVEOLUS_MODEL_VERSION
  value: {{ required "model.version is required" $v.model.version | quote }}
- name: OMP_NUM_THREADS
  value: {{ $svc.torchThreads | quote }}
- name: OMP_WAIT_POLICY
  value: "PASSIVE"
- name: DJL_CACHE_DIR
  value: /var/cache/djl
- name: ENGINE_CACHE_DIR
  value: /var/cache/djl
{{- end }}
{{- if eq .key "frontend" }}
- name: ALVEOLUS_RESULTS_URL
  value: {{ printf "http://%s:8080" (include "alveolus.fullname" (dict "root" $root "key" "results")) | quote }}
- name: ALVEOLUS_INGEST_URL
  value: {{ printf "http://%s:8080" (include "alveolus.fullname" (dict "root" $root "key" "ingest")) | quote }}
{{- end }}
{{- with $svc.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}
