package io.alveolus.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A named set of values files and overrides, rendered once per test JVM and shared by all checks.
 */
public record Scenario(String name, String namespace, List<String> valuesFiles, Map<String, Object> overrides) {

    static final ChartRenderer RENDERER = new ChartRenderer(ChartRenderer.locateRepoRoot());

    private static final Map<String, Manifests> RENDERED = new ConcurrentHashMap<>();
    private static final Map<String, JsonNode> VALUES = new ConcurrentHashMap<>();

    public static final Scenario DEFAULT = new Scenario("default", "alveolus", List.of(), Map.of());
    public static final Scenario DEV = new Scenario("dev", "alveolus-dev", List.of("values-dev.yaml"), Map.of());
    public static final Scenario PROD = new Scenario("prod", "alveolus", List.of("values-prod.yaml"), Map.of());
    public static final Scenario PROD_GPU = new Scenario("prod-gpu", "alveolus",
            List.of("values-prod.yaml", "values-gpu.yaml"), Map.of());
    public static final Scenario GPU = new Scenario("gpu", "alveolus", List.of("values-gpu.yaml"), Map.of());
    public static final Scenario HPA_FALLBACK = new Scenario("hpa-fallback", "alveolus", List.of(),
            Map.of("services.worker.autoscaling.mode", "hpa"));
    /** Every optional template switched on, on top of the defaults. */
    public static final Scenario ALL_ON = new Scenario("all-on", "alveolus", List.of(), ordered(
            "strimzi.enabled", true,
            "cloudnativepg.enabled", true,
            "minio.enabled", true,
            "keycloak.enabled", true,
            "kafka.auth.mode", "scram-sha-512",
            "metrics.serviceMonitor.enabled", true,
            "networkPolicy.backingServices.enabled", true));

    public static Stream<Scenario> all() {
        return Stream.of(DEFAULT, DEV, PROD, PROD_GPU, GPU, HPA_FALLBACK, ALL_ON);
    }

    public static Stream<Scenario> gpuScenarios() {
        return Stream.of(PROD_GPU, GPU);
    }

    public static Stream<Scenario> cpuScenarios() {
        return Stream.of(DEFAULT, DEV, PROD, HPA_FALLBACK, ALL_ON);
    }

    public Manifests manifests() {
        return RENDERED.computeIfAbsent(name, n -> Manifests.parse(render()));
    }

    public String render() {
        return RENDERER.template(namespace, valuesFiles, overrides);
    }

    public Scenario with(String key, Object value) {
        Map<String, Object> o = new LinkedHashMap<>(overrides);
        o.put(key, value);
        return new Scenario(name + "+" + key + "=" + value, namespace, valuesFiles, o);
    }

    public JsonNode values() {
        return VALUES.computeIfAbsent(name, n -> Values.effective(RENDERER.chartDir(), valuesFiles, overrides));
    }

    @Override
    public String toString() {
        return name;
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
