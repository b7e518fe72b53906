package io.alveolus.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** KEDA on consumer lag for the worker (HPA on CPU as fallback), HPAs for the HTTP services, partition bound enforced. */
class AutoscalingTest {

    static final String WORKER = "alveolus-inference-worker";
    /** The worker's input topics (keys of kafka.topics): the routine lane and the urgent lane. */
    static final List<String> LANES = List.of("imageReceived", "imageReceivedUrgent");

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.alveolus.deploycheck.Scenario#all")
    void workerScalingFollowsTheModeAndNeverExceedsPartitions(Scenario scenario) {
        JsonNode v = scenario.values();
        String mode = v.path("services").path("worker").path("autoscaling").path("mode").asText();
        Manifests m = scenario.manifests();
        Optional<ObjectNode> so = m.find("ScaledObject", WORKER);
        Optional<ObjectNode> hpa = m.find("HorizontalPodAutoscaler", WORKER);
        Deployment worker = Manifests.as(m.find("Deployment", WORKER).orElseThrow(), Deployment.class);
        var env = worker.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();

        // The worker consumes both lanes, one consumer per partition in each group: the smaller topic bounds it.
        int partitions = Integer.MAX_VALUE;
        for (String lane : LANES) {
            JsonNode t = v.path("kafka").path("topics").path(lane);
            partitions = Math.min(partitions, t.path("partitions").asInt());
            // If the chart also renders the topic (Strimzi), the bound must hold against what is really created.
            m.ofKind("KafkaTopic").stream()
                    .filter(k -> t.path("name").asText().equals(k.path("spec").path("topicName").asText())).findFirst()
                    .ifPresent(k -> assertEquals(t.path("partitions").asInt(), k.path("spec").path("partitions").asInt(),
                            "KafkaTopic partitions of " + lane));
        }

        switch (mode) {
            case "keda" -> {
                assertTrue(so.isPresent(), "KEDA mode renders a ScaledObject");
                assertTrue(hpa.isEmpty(), "KEDA mode must not also render an HPA for the worker");
                JsonNode spec = so.get().path("spec");
                assertEquals(WORKER, spec.path("scaleTargetRef").path("name").asText());
                int max = spec.path("maxReplicaCount").asInt();
                int min = spec.path("minReplicaCount").asInt();
                assertTrue(max >= 1 && min <= max, "min/max replicas");
                assertTrue(max <= partitions, "maxReplicaCount " + max + " > partitions " + partitions);
                // One trigger per lane; KEDA measures the (topic, group) pairs the worker really consumes (the chart sets
                // both on the worker's channels) and scales to the larger demand.
                Set<String> measured = new TreeSet<>();
                for (JsonNode trigger : spec.path("triggers")) {
                    assertEquals("kafka", trigger.path("type").asText());
                    JsonNode md = trigger.path("metadata");
                    measured.add(md.path("topic").asText() + " as " + md.path("consumerGroup").asText());
                    assertEquals(v.path("kafka").path("bootstrapServers").asText(), md.path("bootstrapServers").asText());
                    assertTrue(Integer.parseInt(md.path("lagThreshold").asText()) > 0, "lagThreshold per replica");
                    assertEquals("false", md.path("allowIdleConsumers").asText());
                }
                Set<String> consumed = new TreeSet<>();
                for (String channel : List.of("IMAGE_RECEIVED", "IMAGE_RECEIVED_URGENT")) {
                    consumed.add(envValue(env, "MP_MESSAGING_INCOMING_" + channel + "_TOPIC") + " as "
                            + envValue(env, "MP_MESSAGING_INCOMING_" + channel + "_GROUP_ID"));
                }
                assertEquals(Set.of("alveolus.image-received as alveolus-inference",
                        "alveolus.image-received.urgent as alveolus-inference-urgent"), consumed);
                assertEquals(consumed, measured, "ScaledObject triggers");
                assertEquals(consumed.size(), spec.path("triggers").size(), "one trigger per lane");
                boolean scram = "scram-sha-512".equals(v.path("kafka").path("auth").path("mode").asText());
                boolean tls = v.path("kafka").path("tls").path("enabled").asBoolean();
                for (JsonNode trigger : spec.path("triggers")) {
                    assertEquals(scram || tls, trigger.has("authenticationRef"), "KEDA authenticates exactly when Kafka needs it");
                }
                JsonNode trigger = spec.path("triggers").get(0);
                if (scram || tls) {
                    JsonNode ta = m.find("TriggerAuthentication", trigger.path("authenticationRef").path("name").asText()).orElseThrow();
                    java.util.Set<String> params = new java.util.HashSet<>();
                    ta.path("spec").path("secretTargetRef").forEach(r -> params.add(r.path("parameter").asText()));
                    java.util.Set<String> expected = new java.util.HashSet<>();
                    if (scram) {
                        expected.addAll(List.of("sasl", "username", "password"));
                    }
                    if (tls) {
                        expected.addAll(List.of("tls", "ca"));
                    }
                    assertEquals(expected, params, "TriggerAuthentication parameters");
                }
                assertNull(worker.getSpec().getReplicas(), "replicas are owned by KEDA");
            }
            case "hpa" -> {
                assertTrue(so.isEmpty(), "HPA fallback renders no ScaledObject");
                HorizontalPodAutoscaler h = Manifests.as(hpa.orElseThrow(() -> new AssertionError("no worker HPA")),
                        HorizontalPodAutoscaler.class);
                assertTrue(h.getSpec().getMaxReplicas() <= partitions, "HPA maxReplicas > partitions");
                assertEquals("cpu", h.getSpec().getMetrics().get(0).getResource().getName());
                assertNull(worker.getSpec().getReplicas(), "replicas are owned by the HPA");
            }
            default -> {
                assertTrue(so.isEmpty() && hpa.isEmpty());
                assertTrue(worker.getSpec().getReplicas() <= partitions);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.alveolus.deploycheck.Scenario#all")
    void httpServicesScaleWithCpuHpas(Scenario scenario) {
        JsonNode services = scenario.values().path("services");
        for (String key : List.of("ingest", "results", "frontend")) {
            JsonNode svc = services.path(key);
            String name = "alveolus-" + svc.path("name").asText();
            Optional<ObjectNode> hpa = scenario.manifests().find("HorizontalPodAutoscaler", name);
            Deployment d = Manifests.as(scenario.manifests().find("Deployment", name).orElseThrow(), Deployment.class);
            if (svc.path("autoscaling").path("enabled").asBoolean()) {
                HorizontalPodAutoscaler h = Manifests.as(hpa.orElseThrow(() -> new AssertionError("no HPA for " + name)),
                        HorizontalPodAutoscaler.class);
                assertEquals(name, h.getSpec().getScaleTargetRef().getName());
                assertEquals("Deployment", h.getSpec().getScaleTargetRef().getKind());
                assertTrue(h.getSpec().getMinReplicas() <= h.getSpec().getMaxReplicas());
                assertEquals("cpu", h.getSpec().getMetrics().get(0).getResource().getName());
                assertNull(d.getSpec().getReplicas(), name + ": replicas are owned by the HPA");
            } else {
                assertFalse(hpa.isPresent(), name + ": HPA rendered although autoscaling is off");
                assertTrue(d.getSpec().getReplicas() >= 1);
            }
        }
    }

    @Test
    void fewerUrgentPartitionsThanMaxReplicasFailsToRender() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Scenario.PROD.with("kafka.topics.imageReceivedUrgent.partitions", 12).render());
        assertTrue(e.getMessage().contains("maxReplicas (24) exceeds the partitions of topic alveolus.image-received.urgent (12)"),
                e.getMessage());
        assertThrows(IllegalStateException.class, () -> Scenario.DEFAULT
                .with("services.worker.autoscaling.mode", "none")
                .with("kafka.topics.imageReceivedUrgent.partitions", 1).render());
    }

    @Test
    void kedaMaxReplicasAbovePartitionsFailsToRender() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Scenario.DEFAULT.with("services.worker.autoscaling.maxReplicas", 13).render());
        assertTrue(e.getMessage().contains("exceeds the partitions of topic alveolus.image-received (12)"), e.getMessage());
    }

    @Test
    void fewerPartitionsThanProductionMaxReplicasFailsToRender() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Scenario.PROD.with("kafka.topics.imageReceived.partitions", 16).render());
        assertTrue(e.getMessage().contains("maxReplicas (24) exceeds the partitions"), e.getMessage());
    }

    @Test
    void hpaFallbackIsBoundByPartitionsToo() {
        assertThrows(IllegalStateException.class,
                () -> Scenario.HPA_FALLBACK.with("services.worker.autoscaling.maxReplicas", 40).render());
    }

    @Test
    void staticWorkerReplicasAbovePartitionsFailToRender() {
        assertThrows(IllegalStateException.class, () -> Scenario.DEFAULT
                .with("services.worker.autoscaling.mode", "none")
                .with("services.worker.replicas", 13).render());
    }

    @Test
    void unknownAutoscalingModeFailsToRender() {
        assertThrows(IllegalStateException.class,
                () -> Scenario.DEFAULT.with("services.worker.autoscaling.mode", "vpa").render());
    }

    @Test
    void maxReplicasEqualToPartitionsIsAllowed() {
        Manifests m = Manifests.parse(Scenario.DEFAULT.with("services.worker.autoscaling.maxReplicas", 12).render());
        assertEquals(12, m.find("ScaledObject", WORKER).orElseThrow().path("spec").path("maxReplicaCount").asInt());
    }

    private static String envValue(List<io.fabric8.kubernetes.api.model.EnvVar> env, String name) {
        return env.stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("worker lacks " + name)).getValue();
    }
}
