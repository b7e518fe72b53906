package io.alveolus.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The NetworkPolicies allow exactly the flows of the design, nothing wider:
 * <pre>
 *   ingest-service   in: ingress controller, frontend-api, monitoring  out: DNS, Kafka, PostgreSQL, object store, Keycloak
 *   inference-worker in: monitoring                                    out: DNS, Kafka, PostgreSQL, object store
 *   results-service  in: ingress controller, frontend-api, monitoring  out: DNS, Kafka, PostgreSQL, object store, Keycloak
 *   frontend-api     in: ingress controller, monitoring                out: DNS, Kafka, Keycloak, results-service, ingest-service
 * </pre>
 */
class NetworkFlowTest {

    static final Map<String, Set<String>> INBOUND = Map.of(
            // hospitals: their modalities and PACS to the DICOM C-STORE ports (issue 15), from their address ranges
            "alveolus-ingest-service", Set.of("ingressController", "app:frontend-api", "monitoring", "hospitals"),
            "alveolus-inference-worker", Set.of("monitoring"),
            "alveolus-results-service", Set.of("ingressController", "app:frontend-api", "monitoring"),
            "alveolus-frontend-api", Set.of("ingressController", "monitoring"));

    static final Map<String, Set<String>> OUTBOUND = Map.of(
            "alveolus-ingest-service", Set.of("dns", "kafka", "postgres", "objectStore", "keycloak"),
            "alveolus-inference-worker", Set.of("dns", "kafka", "postgres", "objectStore"),
            "alveolus-results-service", Set.of("dns", "kafka", "postgres", "objectStore", "keycloak"),
            "alveolus-frontend-api", Set.of("dns", "kafka", "keycloak", "app:results-service", "app:ingest-service"));

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.alveolus.deploycheck.Scenario#all")
    void policiesAllowOnlyTheDesignedFlows(Scenario scenario) {
        JsonNode peers = scenario.values().path("networkPolicy").path("peers");
        for (ObjectNode np : scenario.manifests().ofKind("NetworkPolicy")) {
            String name = Manifests.name(np);
            if (!INBOUND.containsKey(name)) {
                continue; // backing-service policies: backingServicePoliciesAdmitOnlyTheirClients
            }
            JsonNode spec = np.path("spec");
            Set<String> in = new TreeSet<>();
            for (JsonNode rule : spec.path("ingress")) {
                String from = classify(rule.path("from"), peers, "from", name);
                in.add(from);
                for (JsonNode port : rule.path("ports")) {
                    String p = port.path("port").asText();
                    // the hospitals reach ingest's DICOM ports (plain, TLS) and nothing else; everyone else http only
                    boolean allowed = from.equals("hospitals")
                            ? name.equals("alveolus-ingest-service") && (p.equals("dicom") || p.equals("dicom-tls"))
                            : p.equals("http") || p.equals("8080");
                    if (!allowed) {
                        throw new AssertionError(name + ": ingress from " + from + " on port " + p);
                    }
                }
            }
            Set<String> out = new TreeSet<>();
            for (JsonNode rule : spec.path("egress")) {
                out.add(classify(rule.path("to"), peers, "to", name));
                if (!rule.has("ports") || rule.path("ports").isEmpty()) {
                    throw new AssertionError(name + ": egress rule without ports: " + rule);
                }
            }
            assertEquals(new TreeSet<>(INBOUND.get(name)), in, scenario + " " + name + " inbound");
            assertEquals(new TreeSet<>(OUTBOUND.get(name)), out, scenario + " " + name + " outbound");
        }
    }

    /**
     * Every Kafka client (a workload given KAFKA_BOOTSTRAP_SERVERS) may leave for the brokers, and, with Strimzi, the
     * listener's networkPolicyPeers admit its pods: results-service's usage metering is one of them.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.alveolus.deploycheck.Scenario#all")
    void everyKafkaClientMayReachTheBrokers(Scenario scenario) {
        Manifests m = scenario.manifests();
        JsonNode kafkaPeer = scenario.values().path("networkPolicy").path("peers").path("kafka");
        Set<String> clients = new TreeSet<>();
        for (ObjectNode d : m.ofKind("Deployment")) {
            JsonNode pod = d.path("spec").path("template");
            boolean client = false;
            for (JsonNode e : pod.path("spec").path("containers").get(0).path("env")) {
                client |= "KAFKA_BOOTSTRAP_SERVERS".equals(e.path("name").asText());
            }
            if (!client) {
                continue;
            }
            String name = Manifests.name(d);
            clients.add(name);
            boolean egress = false;
            for (JsonNode rule : m.find("NetworkPolicy", name).orElseThrow().path("spec").path("egress")) {
                egress |= rule.path("to").equals(kafkaPeer.path("to")) && rule.path("ports").equals(kafkaPeer.path("ports"));
            }
            assertTrue(egress, scenario + " " + name + ": no egress to Kafka");
            m.find("Kafka", scenario.values().path("strimzi").path("clusterName").asText()).ifPresent(kafka -> {
                JsonNode labels = pod.path("metadata").path("labels");
                boolean admitted = false;
                for (JsonNode peer : kafka.path("spec").path("kafka").path("listeners").get(0).path("networkPolicyPeers")) {
                    if (peer.has("podSelector") && !peer.has("namespaceSelector")) {
                        boolean all = true;
                        var it = peer.path("podSelector").path("matchLabels").fields();
                        while (it.hasNext()) {
                            var l = it.next();
                            all &= l.getValue().asText().equals(labels.path(l.getKey()).asText());
                        }
                        admitted |= all;
                    }
                }
                assertTrue(admitted, scenario + " " + name + ": the Strimzi listener does not admit its pods");
            });
        }
        assertEquals(Set.of("alveolus-ingest-service", "alveolus-inference-worker", "alveolus-results-service",
                "alveolus-frontend-api"), clients, scenario + ": Kafka clients");
    }

    static java.util.stream.Stream<Scenario> withBackingPolicies() {
        return java.util.stream.Stream.of(Scenario.DEV, Scenario.ALL_ON);
    }

    /** PostgreSQL, MinIO and Keycloak admit the services that use them (and their own operators), nobody else. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("withBackingPolicies")
    void backingServicePoliciesAdmitOnlyTheirClients(Scenario scenario) {
        Manifests m = scenario.manifests();
        assertEquals(Set.of("ingest-service", "inference-worker", "results-service", "keycloak", "keycloak-realm-import"),
                admittedApps(m.find("NetworkPolicy", "alveolus-db").orElseThrow(), 5432));
        // PostgreSQL backups may target the tenant too.
        assertEquals(Set.of("ingest-service", "inference-worker", "results-service", "cnpg:alveolus-db"),
                admittedApps(m.find("NetworkPolicy", "alveolus-minio").orElseThrow(), 9000));
        assertEquals(Set.of("ingest-service", "results-service", "frontend-api"),
                admittedApps(m.find("NetworkPolicy", "alveolus-keycloak").orElseThrow(), 8443));
    }

    /** The app names (app.kubernetes.io/name or app label) of the pods a policy admits on a port, own pods excluded. */
    private static Set<String> admittedApps(ObjectNode policy, int port) {
        JsonNode own = policy.path("spec").path("podSelector").path("matchLabels");
        Set<String> apps = new TreeSet<>();
        for (JsonNode rule : policy.path("spec").path("ingress")) {
            boolean onPort = false;
            for (JsonNode p : rule.path("ports")) {
                onPort |= p.path("port").asInt() == port;
            }
            if (!onPort) {
                continue;
            }
            for (JsonNode peer : rule.path("from")) {
                if (peer.has("namespaceSelector") || !peer.has("podSelector")) {
                    continue;
                }
                JsonNode ml = peer.path("podSelector").path("matchLabels");
                if (ml.equals(own)) {
                    continue;
                }
                String app = ml.has("app.kubernetes.io/name") ? ml.path("app.kubernetes.io/name").asText()
                        : ml.has("cnpg.io/cluster") ? "cnpg:" + ml.path("cnpg.io/cluster").asText()
                        : ml.path("app").asText(null);
                if (app == null) {
                    throw new AssertionError(Manifests.name(policy) + " admits unlabelled pods: " + peer);
                }
                apps.add(app);
            }
        }
        return apps;
    }

    /** Names a rule's peer list: one of the configured peers, or app:&lt;service&gt; for a pod of this release. */
    private static String classify(JsonNode list, JsonNode peers, String field, String policy) {
        if (list.isMissingNode() || list.isEmpty()) {
            throw new AssertionError(policy + ": rule without '" + field + "' allows everyone");
        }
        for (JsonNode peer : list) {
            JsonNode block = peer.path("ipBlock");
            if (!block.isMissingNode() && block.path("cidr").asText().endsWith("/0")) {
                throw new AssertionError(policy + ": rule allows " + block.path("cidr").asText());
            }
        }
        Iterator<Map.Entry<String, JsonNode>> it = peers.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (list.equals(e.getValue().path(field))) {
                return e.getKey();
            }
        }
        if (list.size() == 1 && list.get(0).size() == 1 && list.get(0).has("podSelector")) {
            JsonNode ml = list.get(0).path("podSelector").path("matchLabels");
            if (ml.has("app.kubernetes.io/name") && "alveolus".equals(ml.path("app.kubernetes.io/instance").asText())) {
                return "app:" + ml.path("app.kubernetes.io/name").asText();
            }
        }
        List<String> known = new ArrayList<>();
        peers.fieldNames().forEachRemaining(known::add);
        throw new AssertionError(policy + ": peer list matches none of " + known + ": " + list);
    }
}
