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
