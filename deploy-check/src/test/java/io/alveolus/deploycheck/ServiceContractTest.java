package io.alveolus.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each service gets exactly the configuration the platform contract says it reads. */
class ServiceContractTest {

    static final Set<String> KAFKA = Set.of("KAFKA_BOOTSTRAP_SERVERS");
    static final Set<String> DB = Set.of("QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD");
    static final Set<String> S3 = Set.of("ALVEOLUS_S3_ENDPOINT", "ALVEOLUS_S3_ACCESS_KEY", "ALVEOLUS_S3_SECRET_KEY", "ALVEOLUS_S3_BUCKET");
    static final Set<String> OIDC = Set.of("QUARKUS_OIDC_AUTH_SERVER_URL", "QUARKUS_OIDC_CLIENT_ID");

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.alveolus.deploycheck.Scenario#all")
    void environmentFollowsTheContract(Scenario scenario) {
        JsonNode v = scenario.values();
        Map<String, EnvVar> ingest = env(scenario, "alveolus-ingest-service");
        Map<String, EnvVar> worker = env(scenario, "alveolus-inference-worker");
        Map<String, EnvVar> results = env(scenario, "alveolus-results-service");
        Map<String, EnvVar> frontend = env(scenario, "alveolus-frontend-api");

        has(ingest, KAFKA, DB, S3, OIDC);
        has(worker, KAFKA, DB, S3, Set.of("ALVEOLUS_MODEL_VERSION"));
        has(results, KAFKA, DB, S3, OIDC);
        has(frontend, KAFKA, OIDC, Set.of("QUARKUS_OIDC_CREDENTIALS_SECRET", "ALVEOLUS_RESULTS_URL", "ALVEOLUS_INGEST_URL"));

        // Least privilege: no service sees credentials it does not use.
        lacks(worker, "QUARKUS_OIDC_AUTH_SERVER_URL", "QUARKUS_OIDC_CREDENTIALS_SECRET");
        lacks(frontend, "QUARKUS_DATASOURCE_PASSWORD", "ALVEOLUS_S3_SECRET_KEY");
        lacks(ingest, "QUARKUS_OIDC_CREDENTIALS_SECRET");
        lacks(results, "QUARKUS_OIDC_CREDENTIALS_SECRET");

        assertEquals("alveolus-ingest", ingest.get("QUARKUS_OIDC_CLIENT_ID").getValue());
        assertEquals("alveolus-results", results.get("QUARKUS_OIDC_CLIENT_ID").getValue());
        assertEquals("alveolus-portal", frontend.get("QUARKUS_OIDC_CLIENT_ID").getValue());
        assertTrue(frontend.get("QUARKUS_OIDC_AUTH_SERVER_URL").getValue().endsWith("/realms/alveolus"));
        assertEquals(v.path("model").path("version").asText(), worker.get("ALVEOLUS_MODEL_VERSION").getValue());
        // The APIs check the audience of bearer tokens; the portal is a web-app and checks none.
        assertEquals(v.path("oidc").path("apiAudience").asText(), ingest.get("QUARKUS_OIDC_TOKEN_AUDIENCE").getValue());
        assertEquals(v.path("oidc").path("apiAudience").asText(), results.get("QUARKUS_OIDC_TOKEN_AUDIENCE").getValue());
        lacks(frontend, "QUARKUS_OIDC_TOKEN_AUDIENCE");
        // Every service listens on 8080 in its container whatever its application.properties say (dev ports differ).
        for (Map<String, EnvVar> e : List.of(ingest, worker, results, frontend)) {
            assertEquals("8080", e.get("QUARKUS_HTTP_PORT").getValue());
        }
        // The heap share is the same for the JVM flag and for run-java.sh (Jib's UBI entrypoint), and leaves the worker
        // at least half its memory for libtorch.
        for (Map<String, EnvVar> e : List.of(ingest, worker, results, frontend)) {
            String ratio = e.get("JAVA_MAX_RAM_RATIO").getValue();
            assertTrue(e.get("JAVA_TOOL_OPTIONS").getValue().startsWith("-XX:MaxRAMPercentage=" + ratio + ".0 "));
        }
        assertTrue(Integer.parseInt(worker.get("JAVA_MAX_RAM_RATIO").getValue()) <= 50, "worker heap share");
        // PyTorch sizes its thread pool from the node's cores: it must be pinned to the container's CPU limit.
        Deployment wd = Manifests.as(scenario.manifests().find("Deployment", "alveolus-inference-worker").orElseThrow(), Deployment.class);
        double cpuLimit = wd.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits().get("cpu")
                .getNumericalAmount().doubleValue();
        int threads = Integer.parseInt(worker.get("OMP_NUM_THREADS").getValue());
        assertTrue(threads >= 1 && threads <= Math.max(1, Math.floor(cpuLimit)), threads + " torch threads for a CPU limit of " + cpuLimit);
        assertTrue(worker.get("JAVA_TOOL_OPTIONS").getValue().contains("-Dai.djl.pytorch.num_threads=" + threads));
        assertEquals("http://alveolus-results-service:8080", frontend.get("ALVEOLUS_RESULTS_URL").getValue());
        assertEquals("http://alveolus-ingest-service:8080", frontend.get("ALVEOLUS_INGEST_URL").getValue());
        assertEquals(v.path("postgres").path("credentialsSecret").path("name").asText(),
                worker.get("QUARKUS_DATASOURCE_PASSWORD").getValueFrom().getSecretKeyRef().getName());

        boolean tls = v.path("kafka").path("tls").path("enabled").asBoolean();
        boolean scramOn = "scram-sha-512".equals(v.path("kafka").path("auth").path("mode").asText());
        String protocol = tls ? (scramOn ? "SASL_SSL" : "SSL") : (scramOn ? "SASL_PLAINTEXT" : null);
        for (String name : List.of("alveolus-ingest-service", "alveolus-inference-worker", "alveolus-results-service",
                "alveolus-frontend-api")) {
            Map<String, EnvVar> e = env(scenario, name);
            assertEquals(protocol, e.containsKey("KAFKA_SECURITY_PROTOCOL") ? e.get("KAFKA_SECURITY_PROTOCOL").getValue() : null,
                    name + " security.protocol");
            Deployment d = Manifests.as(scenario.manifests().find("Deployment", name).orElseThrow(), Deployment.class);
            var pod = d.getSpec().getTemplate().getSpec();
            if (tls) {
                String location = e.get("KAFKA_SSL_TRUSTSTORE_LOCATION").getValue();
                assertEquals("PEM", e.get("KAFKA_SSL_TRUSTSTORE_TYPE").getValue());
                var mount = pod.getContainers().get(0).getVolumeMounts().stream()
                        .filter(m -> location.startsWith(m.getMountPath() + "/")).findFirst()
                        .orElseThrow(() -> new AssertionError(name + ": truststore " + location + " is not mounted"));
                var vol = pod.getVolumes().stream().filter(x -> x.getName().equals(mount.getName())).findFirst().orElseThrow();
                assertEquals(v.path("kafka").path("tls").path("caSecret").path("name").asText(), vol.getSecret().getSecretName());
            } else {
                assertTrue(!e.containsKey("KAFKA_SSL_TRUSTSTORE_LOCATION"));
            }
        }
        // PostgreSQL certificate verification: the URL asks for it and the CA it names is mounted.
        boolean pgVerify = v.path("postgres").path("tls").path("verify").asBoolean();
        for (String name : List.of("alveolus-ingest-service", "alveolus-inference-worker", "alveolus-results-service")) {
            String url = env(scenario, name).get("QUARKUS_DATASOURCE_JDBC_URL").getValue();
            assertTrue(url.startsWith(v.path("postgres").path("jdbcUrl").asText()));
            assertEquals(pgVerify, url.contains("sslmode=verify-full"), name + ": " + url);
            if (pgVerify) {
                String root = url.substring(url.indexOf("sslrootcert=") + "sslrootcert=".length());
                var pod = Manifests.as(scenario.manifests().find("Deployment", name).orElseThrow(), Deployment.class)
                        .getSpec().getTemplate().getSpec();
                var mount = pod.getContainers().get(0).getVolumeMounts().stream()
                        .filter(m -> root.startsWith(m.getMountPath() + "/")).findFirst()
                        .orElseThrow(() -> new AssertionError(name + ": " + root + " is not mounted"));
                var vol = pod.getVolumes().stream().filter(x -> x.getName().equals(mount.getName())).findFirst().orElseThrow();
                assertEquals(v.path("postgres").path("tls").path("caSecret").path("name").asText(), vol.getSecret().getSecretName());
            }
        }
        assertTrue(!frontend.containsKey("QUARKUS_DATASOURCE_JDBC_URL"));

        // Messaging channels: the lanes ingest produces to and the worker consumes, results-service's usage metering.
        JsonNode topics = v.path("kafka").path("topics");
        assertEquals(topics.path("imageReceived").path("name").asText(),
                ingest.get("ALVEOLUS_TOPICS_IMAGE_RECEIVED").getValue());
        assertEquals(topics.path("imageReceivedUrgent").path("name").asText(),
                ingest.get("ALVEOLUS_TOPICS_IMAGE_RECEIVED_URGENT").getValue());
        assertEquals(topics.path("imageReceivedUrgent").path("name").asText(),
                worker.get("MP_MESSAGING_INCOMING_IMAGE_RECEIVED_URGENT_TOPIC").getValue());
        assertEquals(v.path("kafka").path("urgentInferenceConsumerGroup").asText(),
                worker.get("MP_MESSAGING_INCOMING_IMAGE_RECEIVED_URGENT_GROUP_ID").getValue());
        assertTrue(!worker.get("MP_MESSAGING_INCOMING_IMAGE_RECEIVED_URGENT_GROUP_ID").getValue()
                .equals(worker.get("MP_MESSAGING_INCOMING_IMAGE_RECEIVED_GROUP_ID").getValue()), "each lane has its own group");
        assertEquals(topics.path("analysisCompleted").path("name").asText(),
                results.get("MP_MESSAGING_INCOMING_ANALYSIS_COMPLETED_TOPIC").getValue());
        assertEquals(v.path("kafka").path("meteringConsumerGroup").asText(),
                results.get("MP_MESSAGING_INCOMING_ANALYSIS_COMPLETED_GROUP_ID").getValue());
        assertEquals("alveolus-metering", results.get("MP_MESSAGING_INCOMING_ANALYSIS_COMPLETED_GROUP_ID").getValue());

        if (scramOn) {
            for (var e : Map.of("alveolus-ingest-service", ingest, "alveolus-inference-worker", worker,
                    "alveolus-results-service", results, "alveolus-frontend-api", frontend).entrySet()) {
                EnvVar jaas = e.getValue().get("KAFKA_SASL_JAAS_CONFIG");
                assertNotNull(jaas, e.getKey() + " lacks KAFKA_SASL_JAAS_CONFIG");
                String secret = jaas.getValueFrom().getSecretKeyRef().getName();
                assertEquals(e.getKey(), secret, "JAAS config comes from the KafkaUser's Secret");
                if (v.path("strimzi").path("enabled").asBoolean()) {
                    assertTrue(scenario.manifests().find("KafkaUser", secret).isPresent(), "KafkaUser " + secret + " rendered");
                }
            }
        }
    }

    /**
     * The MP_MESSAGING_* overrides hit real channel properties of the services (a renamed channel would silently
     * ignore them, and KEDA would watch a topic or group the worker no longer uses).
     */
    @org.junit.jupiter.api.Test
    void messagingOverridesMatchTheServicesChannels() throws java.io.IOException {
        Map<String, String> modules = Map.of("alveolus-ingest-service", "ingest-service",
                "alveolus-inference-worker", "inference-worker", "alveolus-results-service", "results-service");
        for (var m : modules.entrySet()) {
            java.nio.file.Path props = Scenario.RENDERER.repoRoot().resolve(m.getValue()).resolve("src/main/resources/application.properties");
            org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isRegularFile(props), props + " not in this checkout");
            java.util.Properties p = new java.util.Properties();
            try (var in = java.nio.file.Files.newInputStream(props)) {
                p.load(in);
            }
            Set<String> envForms = p.stringPropertyNames().stream()
                    .map(k -> k.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_")).collect(Collectors.toSet());
            Map<String, EnvVar> env = env(Scenario.PROD, m.getKey());
            // channel settings, and the topic names ingest's outbox writes (ADR 0004)
            List<String> overrides = env.keySet().stream()
                    .filter(k -> k.startsWith("MP_MESSAGING_") || k.startsWith("ALVEOLUS_TOPICS_")).toList();
            assertTrue(!overrides.isEmpty(), m.getKey() + " has no messaging overrides");
            for (String o : overrides) {
                assertTrue(envForms.contains(o), m.getValue() + "/application.properties has no property for " + o);
            }
        }
    }

    private static Map<String, EnvVar> env(Scenario scenario, String deployment) {
        Deployment d = Manifests.as(scenario.manifests().find("Deployment", deployment).orElseThrow(), Deployment.class);
        List<EnvVar> env = d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        return env.stream().collect(Collectors.toMap(EnvVar::getName, Function.identity()));
    }

    @SafeVarargs
    private static void has(Map<String, EnvVar> env, Set<String>... groups) {
        for (Set<String> g : groups) {
            for (String name : g) {
                assertTrue(env.containsKey(name), "missing " + name + " in " + env.keySet());
            }
        }
    }

    private static void lacks(Map<String, EnvVar> env, String... names) {
        for (String n : names) {
            assertTrue(!env.containsKey(n), "unexpected " + n);
        }
    }
}
