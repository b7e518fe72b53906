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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** KEDA on consumer lag for the worker (HPA on CPU as fallback), HPAs for the HTTP services, partition bound enforced. */
class AutoscalingTest {

    static final String WORKER = "alveolus-inference-worker";

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.alveolus.deploycheck.Scenario#all")
    void workerScalingFollowsTheModeAndNeverExceedsPartitions(Scenario scenario) {
        JsonNode v = scenario.values();
        String mode = v.path("services").path("worker").path("autoscaling").path("mode").asText();
        int partitions = v.path("kafka").path("topics").path("imageReceived").path("partitions").asInt();
        String topic = v.path("kafka").path("topics").path("imageReceived").path("name").asText();
        Manifests m = scenario.manifests();
        Optional<ObjectNode> so = m.find("ScaledObject", WORKER);
        Optional<ObjectNode> hpa = m.find("HorizontalPodAutoscaler", WORKER);
        Deployment worker = Manifests.as(m.find("Deployment", WORKER).orElseThrow(), Deployment.class);

        // If the chart also renders the topic (Strimzi), the bound must hold against what is really created.
        Optional<ObjectNode> kafkaTopic = m.ofKind("KafkaTopic").stream()
                .filter(t -> topic.equals(t.path("spec").path("topicName").asText())).findFirst();
        kafkaTopic.ifPresent(t -> assertEquals(partitions, t.path("spec").path("partitions").asInt(), "KafkaTopic partitions"));

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
                JsonNode trigger = spec.path("triggers").get(0);
                assertEquals("kafka", trigger.path("type").asText());
                JsonNode md = trigger.path("metadata");
                assertEquals(topic, md.path("topic").asText());
                assertEquals("alveolus-inference", md.path("consumerGroup").asText());
                assertEquals(v.path("kafka").path("bootstrapServers").asText(), md.path("bootstrapServers").asText());
                assertTrue(Integer.parseInt(md.path("lagThreshold").asText()) > 0, "lagThreshold per replica");
                assertEquals("false", md.path("allowIdleConsumers").asText());
                // KEDA measures the group and topic the worker really consumes (the chart sets both on the worker).
                var env = worker.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
                assertEquals(md.path("consumerGroup").asText(), env.stream()
                        .filter(e -> e.getName().equals("MP_MESSAGING_INCOMING_IMAGE_RECEIVED_GROUP_ID")).findFirst().orElseThrow().getValue());
                assertEquals(md.path("topic").asText(), env.stream()
                        .filter(e -> e.getName().equals("MP_MESSAGING_INCOMING_IMAGE_RECEIVED_TOPIC")).findFirst().orElseThrow().getValue());
                boolean scram = "scram-sha-512".equals(v.path("kafka").path("auth").path("mode").asText());
                boolean tls = v.path("kafka").path("tls").path("enabled").asBoolean();
                assertEquals(scram || tls, trigger.has("authenticationRef"), "KEDA authenticates exactly when Kafka needs it");
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
}
