package io.alveolus.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The optional operator-managed backing services: off by default, consistent with the services' settings when on. */
class BackingServicesTest {

    static final List<String> OPERATOR_KINDS = List.of("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "Cluster",
            "ScheduledBackup", "Database", "Tenant", "Keycloak", "KeycloakRealmImport");

    static Stream<Scenario> withBackingServices() {
        return Stream.of(Scenario.DEV, Scenario.PROD, Scenario.ALL_ON);
    }

    @Test
    void offByDefault() {
        for (String kind : OPERATOR_KINDS) {
            assertTrue(Scenario.DEFAULT.manifests().ofKind(kind).isEmpty(), kind + " rendered by default");
        }
    }

    /** Install order step 1 (docs/operations.md): backing services only, no application objects. */
    @Test
    void backingServicesRenderAloneForAStagedInstall() {
        Manifests m = Manifests.parse(Scenario.PROD
                .with("services.ingest.enabled", false).with("services.worker.enabled", false)
                .with("services.results.enabled", false).with("services.frontend.enabled", false).render());
        for (String kind : List.of("Deployment", "Service", "ServiceAccount", "PodDisruptionBudget", "HorizontalPodAutoscaler",
                "ScaledObject", "TriggerAuthentication", "Ingress")) {
            assertTrue(m.ofKind(kind).isEmpty(), kind + " rendered with every service disabled");
        }
        for (String kind : List.of("Kafka", "KafkaNodePool", "KafkaTopic", "Cluster", "ScheduledBackup", "Tenant", "Keycloak",
                "KeycloakRealmImport")) {
            assertFalse(m.ofKind(kind).isEmpty(), kind + " missing from the backing-services-only render");
        }
    }

    @Test
    void bootstrapServersThatMissTheStrimziListenerFailToRender() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> Scenario.PROD.with("kafka.bootstrapServers", "alveolus-kafka-bootstrap:9092").render());
        assertTrue(e.getMessage().contains("alveolus-kafka-bootstrap:9093"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withBackingServices")
    void strimziKafkaMatchesTheTopicsAndClients(Scenario scenario) {
        JsonNode v = scenario.values();
        Manifests m = scenario.manifests();
        String cluster = v.path("strimzi").path("clusterName").asText();
        ObjectNode kafka = m.find("Kafka", cluster).orElseThrow();
        assertEquals("enabled", kafka.path("metadata").path("annotations").path("strimzi.io/kraft").asText(), "KRaft");
        assertEquals("enabled", kafka.path("metadata").path("annotations").path("strimzi.io/node-pools").asText());
        assertFalse(kafka.path("spec").has("zookeeper"), "no ZooKeeper");
        assertTrue(v.path("kafka").path("bootstrapServers").asText().startsWith(cluster + "-kafka-bootstrap:"),
                "services point at the Strimzi bootstrap Service");
        List<ObjectNode> pools = m.ofKind("KafkaNodePool");
        assertEquals(1, pools.size());
        JsonNode pool = pools.get(0);
        assertEquals(cluster, pool.path("metadata").path("labels").path("strimzi.io/cluster").asText());
        Set<String> roles = new HashSet<>();
        pool.path("spec").path("roles").forEach(r -> roles.add(r.asText()));
        assertEquals(Set.of("controller", "broker"), roles);
        int brokers = pool.path("spec").path("replicas").asInt();

        Iterator<Map.Entry<String, JsonNode>> topics = v.path("kafka").path("topics").fields();
        while (topics.hasNext()) {
            JsonNode t = topics.next().getValue();
            ObjectNode kt = m.ofKind("KafkaTopic").stream()
                    .filter(x -> t.path("name").asText().equals(x.path("spec").path("topicName").asText()))
                    .findFirst().orElseThrow(() -> new AssertionError("no KafkaTopic for " + t.path("name").asText()));
            JsonNode spec = kt.path("spec");
            assertEquals(cluster, kt.path("metadata").path("labels").path("strimzi.io/cluster").asText());
            assertEquals(t.path("partitions").asInt(), spec.path("partitions").asInt());
            assertTrue(spec.path("replicas").asInt() <= brokers, "topic replicas <= brokers");
            assertTrue(spec.path("config").path("retention.ms").asLong() > 0, "retention set");
            assertTrue(spec.path("config").path("min.insync.replicas").asInt() <= spec.path("replicas").asInt());
        }
        // The urgent lane is created like the routine one (the cluster does not auto-create topics).
        Set<String> created = new HashSet<>();
        m.ofKind("KafkaTopic").forEach(kt -> created.add(kt.path("spec").path("topicName").asText()));
        assertTrue(created.containsAll(Set.of("alveolus.image-received", "alveolus.image-received.urgent",
                "alveolus.analysis-completed", "alveolus.image-received.dlq")), "KafkaTopics " + created);
        assertEquals("false", kafka.path("spec").path("kafka").path("config").path("auto.create.topics.enable").asText());

        JsonNode listener0 = kafka.path("spec").path("kafka").path("listeners").get(0);
        boolean tls = v.path("kafka").path("tls").path("enabled").asBoolean();
        assertEquals(tls, listener0.path("tls").asBoolean(), "listener TLS follows kafka.tls.enabled");
        assertTrue(v.path("kafka").path("bootstrapServers").asText().endsWith(":" + listener0.path("port").asInt()),
                "bootstrapServers uses the listener's port");
        boolean scram = "scram-sha-512".equals(v.path("kafka").path("auth").path("mode").asText());
        assertEquals(scram, !m.ofKind("KafkaUser").isEmpty(), "KafkaUsers exactly when Kafka authenticates");
        if (scram) {
            JsonNode listener = kafka.path("spec").path("kafka").path("listeners").get(0);
            assertEquals("scram-sha-512", listener.path("authentication").path("type").asText());
            assertEquals("simple", kafka.path("spec").path("kafka").path("authorization").path("type").asText());
            assertEquals(Set.of("Read@topic:alveolus.image-received", "Describe@topic:alveolus.image-received",
                            "Read@group:alveolus-inference", "Describe@group:alveolus-inference",
                            "Read@topic:alveolus.image-received.urgent", "Describe@topic:alveolus.image-received.urgent",
                            "Read@group:alveolus-inference-urgent", "Describe@group:alveolus-inference-urgent",
                            "Write@topic:alveolus.analysis-completed", "Describe@topic:alveolus.analysis-completed",
                            "Write@topic:alveolus.image-received.dlq", "Describe@topic:alveolus.image-received.dlq"),
                    acls(m.find("KafkaUser", "alveolus-inference-worker").orElseThrow()));
            assertEquals(Set.of("Write@topic:alveolus.image-received", "Describe@topic:alveolus.image-received",
                            "Write@topic:alveolus.image-received.urgent", "Describe@topic:alveolus.image-received.urgent"),
                    acls(m.find("KafkaUser", "alveolus-ingest-service").orElseThrow()));
            // Usage metering: results-service reads analysis-completed as its own group, and writes nothing.
            assertEquals(Set.of("Read@topic:alveolus.analysis-completed", "Describe@topic:alveolus.analysis-completed",
                            "Read@group:alveolus-metering", "Describe@group:alveolus-metering"),
                    acls(m.find("KafkaUser", "alveolus-results-service").orElseThrow()));
            // KEDA only describes what its ScaledObject measures: both lanes and their groups.
            boolean keda = "keda".equals(v.path("services").path("worker").path("autoscaling").path("mode").asText());
            assertEquals(keda, m.find("KafkaUser", "alveolus-keda").isPresent(), "KEDA user exactly with KEDA");
            if (keda) {
                assertEquals(Set.of("Describe@topic:alveolus.image-received", "Describe@group:alveolus-inference",
                                "Describe@topic:alveolus.image-received.urgent", "Describe@group:alveolus-inference-urgent"),
                        acls(m.find("KafkaUser", "alveolus-keda").orElseThrow()));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withBackingServices")
    void cloudNativePgClusterIsBackedUpAndMatchesTheDatasource(Scenario scenario) {
        JsonNode v = scenario.values();
        JsonNode c = v.path("cloudnativepg");
        String name = c.path("clusterName").asText();
        ObjectNode cluster = scenario.manifests().find("Cluster", name).orElseThrow();
        assertEquals(name + "-app", v.path("postgres").path("credentialsSecret").path("name").asText(),
                "services read the credentials CloudNativePG generates");
        assertTrue(v.path("postgres").path("jdbcUrl").asText().startsWith("jdbc:postgresql://" + name + "-rw:5432/"),
                "services write to the primary (-rw) Service");
        assertEquals(c.path("database").asText(), cluster.path("spec").path("bootstrap").path("initdb").path("database").asText());
        if (c.path("backup").path("enabled").asBoolean()) {
            JsonNode store = cluster.path("spec").path("backup").path("barmanObjectStore");
            assertTrue(store.path("destinationPath").asText().startsWith("s3://"));
            assertFalse(store.path("s3Credentials").path("secretAccessKey").path("name").asText().isEmpty());
            assertFalse(cluster.path("spec").path("backup").path("retentionPolicy").asText().isEmpty());
            ObjectNode sb = scenario.manifests().ofKind("ScheduledBackup").get(0);
            assertEquals(name, sb.path("spec").path("cluster").path("name").asText());
            assertEquals(6, sb.path("spec").path("schedule").asText().split(" ").length, "CNPG cron has six fields");
        } else {
            assertTrue(scenario.manifests().ofKind("ScheduledBackup").isEmpty());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withBackingServices")
    void minioTenantCreatesTheBucket(Scenario scenario) {
        JsonNode v = scenario.values();
        ObjectNode tenant = scenario.manifests().find("Tenant", v.path("minio").path("tenantName").asText()).orElseThrow();
        Set<String> buckets = new HashSet<>();
        tenant.path("spec").path("buckets").forEach(b -> buckets.add(b.path("name").asText()));
        assertTrue(buckets.contains(v.path("objectStore").path("bucket").asText()));
        assertFalse(tenant.path("spec").path("configuration").path("name").asText().isEmpty(), "root credentials from a Secret");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("withBackingServices")
    void keycloakRealmHasTheThreeClientsAndTheTenantClaim(Scenario scenario) {
        Manifests m = scenario.manifests();
        ObjectNode kc = m.ofKind("Keycloak").get(0);
        ObjectNode imp = m.ofKind("KeycloakRealmImport").get(0);
        assertEquals(Manifests.name(kc), imp.path("spec").path("keycloakCRName").asText());
        JsonNode realm = imp.path("spec").path("realm");
        assertEquals("alveolus", realm.path("realm").asText());
        Set<String> clients = new HashSet<>();
        JsonNode portal = null;
        for (JsonNode c : realm.path("clients")) {
            clients.add(c.path("clientId").asText());
            if ("alveolus-portal".equals(c.path("clientId").asText())) {
                portal = c;
            }
        }
        assertEquals(Set.of("alveolus-ingest", "alveolus-results", "alveolus-portal"), clients);
        assertEquals("${PORTAL_CLIENT_SECRET}", portal.path("secret").asText());
        assertEquals(scenario.values().path("oidc").path("portalClientSecret").path("secretName").asText(),
                imp.path("spec").path("placeholders").path("PORTAL_CLIENT_SECRET").path("secret").path("name").asText());
        boolean tenantClaim = false;
        for (JsonNode mapper : portal.path("protocolMappers")) {
            tenantClaim |= "tenant".equals(mapper.path("config").path("claim.name").asText());
        }
        assertTrue(tenantClaim, "portal tokens carry the tenant claim");
        boolean apiAudience = false;
        for (JsonNode mapper : portal.path("protocolMappers")) {
            apiAudience |= scenario.values().path("oidc").path("apiAudience").asText()
                    .equals(mapper.path("config").path("included.custom.audience").asText());
        }
        assertTrue(apiAudience, "portal tokens carry the audience the APIs require");
        String profile = realm.path("components").path("org.keycloak.userprofile.UserProfileProvider").get(0)
                .path("config").path("kc.user.profile.config").get(0).asText();
        assertTrue(profile.contains("\"name\":\"tenant\""), "tenant attribute declared in the user profile");
        assertTrue(realm.path("users").isMissingNode(), "no users are imported into production realms");
    }

    private static Set<String> acls(ObjectNode user) {
        Set<String> out = new HashSet<>();
        for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
            JsonNode r = acl.path("resource");
            for (JsonNode op : acl.path("operations")) {
                out.add(op.asText() + "@" + r.path("type").asText() + ":" + r.path("name").asText());
            }
        }
        return out;
    }
}
