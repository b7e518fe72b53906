package io.alveolus.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gpu switch: CUDA image variant, nvidia.com/gpu request and limit, GPU node selection; nothing of it on CPU. */
class GpuTest {

    static final String GPU = "nvidia.com/gpu";

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.alveolus.deploycheck.Scenario#gpuScenarios")
    void gpuValuesPutTheWorkerOnAGpu(Scenario scenario) {
        JsonNode v = scenario.values();
        Deployment worker = worker(scenario);
        PodSpec pod = worker.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        Quantity limit = c.getResources().getLimits().get(GPU);
        assertNotNull(limit, "worker limits lack " + GPU);
        assertTrue(limit.getNumericalAmount().intValue() >= 1);
        assertEquals(limit, c.getResources().getRequests().get(GPU), "GPU request equals limit");
        assertTrue(Optional.ofNullable(pod.getTolerations()).orElse(List.of()).stream()
                        .anyMatch(t -> GPU.equals(t.getKey()) && "NoSchedule".equals(t.getEffect())),
                "worker tolerates the GPU taint");
        assertEquals("true", pod.getNodeSelector().get("nvidia.com/gpu.present"), "worker selects GPU nodes");
        assertTrue(c.getImage().endsWith("-cu124"), () -> "worker runs the CUDA image variant: " + c.getImage());
        assertEquals(0, worker.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal(),
                "no surge pod waiting for a scarce GPU");
        // Only the worker touches the GPU.
        for (Deployment d : scenario.manifests().ofKind("Deployment", Deployment.class)) {
            if (!d.getMetadata().getName().equals(worker.getMetadata().getName())) {
                assertNoGpu(d);
            }
        }
        assertTrue(v.path("gpu").path("enabled").asBoolean());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.alveolus.deploycheck.Scenario#cpuScenarios")
    void cpuValuesRequestNoGpu(Scenario scenario) {
        for (Deployment d : scenario.manifests().ofKind("Deployment", Deployment.class)) {
            assertNoGpu(d);
        }
        assertFalse(worker(scenario).getSpec().getTemplate().getSpec().getContainers().get(0).getImage().endsWith("-cu124"));
    }

    /** The GPU image matches what the chart assumes: CUDA 12.4 for the -cu124 natives, uid 185, the DJL cache path. */
    @org.junit.jupiter.api.Test
    void gpuDockerfileMatchesTheChart() throws java.io.IOException {
        String dockerfile = java.nio.file.Files.readString(
                Scenario.RENDERER.repoRoot().resolve("helm/images/inference-worker-gpu.Dockerfile"));
        JsonNode v = Scenario.PROD_GPU.values();
        assertEquals("-cu124", v.path("gpu").path("imageTagSuffix").asText());
        assertTrue(dockerfile.contains("nvidia/cuda:12.4"), "CUDA 12.4 runtime for pytorch-native-cu124");
        assertTrue(dockerfile.contains("USER 185"), "runs as the uid the chart sets");
        assertEquals(185, v.path("common").path("podSecurityContext").path("runAsUser").asInt());
        assertTrue(dockerfile.contains("DJL_CACHE_DIR=/var/cache/djl"), "DJL extracts into the chart's emptyDir");
        Deployment w = worker(Scenario.PROD_GPU);
        assertTrue(w.getSpec().getTemplate().getSpec().getContainers().get(0).getVolumeMounts().stream()
                .anyMatch(m -> m.getMountPath().equals("/var/cache/djl")));
    }

    private static void assertNoGpu(Deployment d) {
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        for (Container c : pod.getContainers()) {
            assertFalse(c.getResources().getLimits().containsKey(GPU), d.getMetadata().getName() + " requests a GPU");
            assertFalse(c.getResources().getRequests().containsKey(GPU), d.getMetadata().getName() + " requests a GPU");
        }
        assertTrue(Optional.ofNullable(pod.getTolerations()).orElse(List.of()).stream().noneMatch(t -> GPU.equals(t.getKey())),
                d.getMetadata().getName() + " tolerates the GPU taint");
    }

    private static Deployment worker(Scenario scenario) {
        return Manifests.as(scenario.manifests().find("Deployment", "alveolus-inference-worker").orElseThrow(), Deployment.class);
    }
}
