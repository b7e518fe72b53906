package io.alveolus.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The chart lints, renders for every scenario, and renders only known, well-formed kinds. */
class ChartRenderTest {

    /** apiVersion -> kinds the chart may emit. Anything else is a mistake (typo, removed API, unplanned CRD). */
    static final Map<String, Set<String>> KNOWN = Map.ofEntries(
            Map.entry("v1", Set.of("ServiceAccount", "Service")),
            Map.entry("apps/v1", Set.of("Deployment")),
            Map.entry("policy/v1", Set.of("PodDisruptionBudget")),
            Map.entry("networking.k8s.io/v1", Set.of("NetworkPolicy", "Ingress")),
            Map.entry("autoscaling/v2", Set.of("HorizontalPodAutoscaler")),
            Map.entry("keda.sh/v1alpha1", Set.of("ScaledObject", "TriggerAuthentication")),
            Map.entry("monitoring.coreos.com/v1", Set.of("ServiceMonitor")),
            Map.entry("kafka.strimzi.io/v1beta2", Set.of("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser")),
            Map.entry("postgresql.cnpg.io/v1", Set.of("Cluster", "ScheduledBackup", "Database")),
            Map.entry("minio.min.io/v2", Set.of("Tenant")),
            Map.entry("k8s.keycloak.org/v2alpha1", Set.of("Keycloak", "KeycloakRealmImport")));

    /** Kinds parsed into fabric8 model classes; a field the model does not know is reported. */
    static final Map<String, Class<?>> TYPED = Map.of(
            "ServiceAccount", ServiceAccount.class,
            "Service", Service.class,
            "Deployment", Deployment.class,
            "PodDisruptionBudget", PodDisruptionBudget.class,
            "NetworkPolicy", NetworkPolicy.class,
            "Ingress", Ingress.class,
            "HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);

    @Test
    void chartLintsStrict() {
        LintResult lint = Scenario.RENDERER.lint();
        assertFalse(lint.isFailed(), () -> "helm lint --strict failed: " + lint.getMessages());
    }

    @Test
    void valuesSchemaRejectsMisspeltAndMistypedValues() {
        // A misspelt key would otherwise be silently ignored and the default used.
        assertThrows(IllegalStateException.class, () -> Scenario.DEFAULT.with("servces.worker.replicas", 2).render());
        assertThrows(IllegalStateException.class, () -> Scenario.DEFAULT.with("services.worker.autoscaling.maxReplica", 2).render());
        assertThrows(IllegalStateException.class, () -> Scenario.DEFAULT.with("kafka.topics.imageReceived.partitions", 0).render());
        assertThrows(IllegalStateException.class, () -> Scenario.DEFAULT.with("kafka.topics.imageReceivedUrgent.partitions", 0).render());
        assertThrows(IllegalStateException.class, () -> Scenario.DEFAULT.with("kafka.meteringConsumerGroup", "").render());
        assertThrows(IllegalStateException.class, () -> Scenario.DEFAULT.with("kafka.auth.mode", "plain").render());
        assertThrows(IllegalStateException.class, () -> Scenario.DEFAULT.with("oidc.authServerUrl", "keycloak").render());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.alveolus.deploycheck.Scenario#all")
    void rendersOnlyKnownWellFormedKinds(Scenario scenario) {
        List<ObjectNode> docs = scenario.manifests().all();
        assertFalse(docs.isEmpty(), "nothing rendered");
        List<String> problems = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ObjectNode d : docs) {
            String api = Manifests.apiVersion(d);
            String kind = Manifests.kind(d);
            String name = Manifests.name(d);
            if (api == null || kind == null || name == null || name.isBlank()) {
                problems.add("missing apiVersion/kind/metadata.name: " + d);
                continue;
            }
            if (!KNOWN.getOrDefault(api, Set.of()).contains(kind)) {
                problems.add("unknown apiVersion/kind: " + api + " " + kind + " (" + name + ")");
            }
            if (!name.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") || name.length() > 253) {
                problems.add("invalid name: " + Manifests.id(d));
            }
            if (!seen.add(kind + "/" + name)) {
                problems.add("duplicate: " + Manifests.id(d));
            }
            if (d.path("metadata").has("namespace")) {
                problems.add("hard-coded namespace (the release namespace applies): " + Manifests.id(d));
            }
            JsonNode labels = d.path("metadata").path("labels");
            if (!"alveolus".equals(labels.path("app.kubernetes.io/part-of").asText())) {
                problems.add("no app.kubernetes.io/part-of=alveolus label: " + Manifests.id(d));
            }
            Class<?> type = TYPED.get(kind);
            if (type != null) {
                try {
                    Object parsed = Manifests.as(d, type);
                    for (String unknown : UnknownFields.of(parsed)) {
                        problems.add("unknown field in " + Manifests.id(d) + ": " + unknown);
                    }
                } catch (RuntimeException e) {
                    problems.add("does not parse as " + type.getSimpleName() + ": " + Manifests.id(d) + ": " + e.getCause());
                }
            }
        }
        if (!problems.isEmpty()) {
            fail(scenario + ":\n  " + String.join("\n  ", problems));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.alveolus.deploycheck.Scenario#all")
    void everyServiceIsDeployedWithAPinnedImageFromTheConfiguredRegistry(Scenario scenario) {
        JsonNode values = scenario.values();
        String registry = values.path("image").path("registry").asText();
        List<Deployment> deployments = scenario.manifests().ofKind("Deployment", Deployment.class);
        assertEquals(Set.of("alveolus-ingest-service", "alveolus-inference-worker", "alveolus-results-service",
                        "alveolus-frontend-api"),
                deployments.stream().map(x -> x.getMetadata().getName()).collect(java.util.stream.Collectors.toSet()));
        for (Deployment d : deployments) {
            d.getSpec().getTemplate().getSpec().getContainers().forEach(c -> {
                assertTrue(c.getImage().startsWith(registry + "/"), () -> c.getImage() + " not from " + registry);
                String tag = c.getImage().substring(c.getImage().lastIndexOf(':') + 1);
                assertFalse(tag.isBlank() || tag.equals("latest") || tag.contains("/"), () -> "unpinned image " + c.getImage());
            });
        }
    }
}
