package io.alveolus.deploycheck;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** k8s/&lt;env&gt;/alveolus.yaml is exactly what the chart renders today: plain manifests cannot drift from the chart. */
class RenderedManifestsUpToDateTest {

    @TestFactory
    Stream<DynamicTest> k8sManifestsMatchAFreshRender() {
        ChartRenderer r = Scenario.RENDERER;
        return ChartRenderer.environments().stream().map(env -> DynamicTest.dynamicTest("k8s/" + env.dir(), () -> {
            Path file = r.manifestFile(env);
            assertTrue(Files.isRegularFile(file), file + " is missing: run k8s/render.sh");
            String expected = r.renderManifest(env);
            String actual = Files.readString(file, StandardCharsets.UTF_8);
            if (!expected.equals(actual)) {
                fail(r.repoRoot().relativize(file) + " differs from a fresh render of helm/alveolus ("
                        + firstDifference(expected, actual) + "): run k8s/render.sh and commit the result");
            }
            // The rendered environment is itself valid by every other check of this module.
            Manifests.parse(actual);
        }));
    }

    @TestFactory
    Stream<DynamicTest> k8sHoldsNoStrayManifests() throws IOException {
        Path k8s = Scenario.RENDERER.k8sDir();
        List<Path> expected = ChartRenderer.environments().stream().map(Scenario.RENDERER::manifestFile).toList();
        try (Stream<Path> files = Files.walk(k8s)) {
            List<Path> yaml = files.filter(p -> p.toString().matches(".*\\.ya?ml")).toList();
            return yaml.stream().map(p -> DynamicTest.dynamicTest(k8s.relativize(p).toString(), () ->
                    assertTrue(expected.contains(p), p + " is not produced by k8s/render.sh: hand-written manifests drift")));
        }
    }

    static String firstDifference(String expected, String actual) {
        String[] e = expected.split("\n", -1);
        String[] a = actual.split("\n", -1);
        for (int i = 0; i < Math.min(e.length, a.length); i++) {
            if (!e[i].equals(a[i])) {
                return "line " + (i + 1) + ": expected '" + e[i].strip() + "' but found '" + a[i].strip() + "'";
            }
        }
        return "expected " + e.length + " lines, found " + a.length;
    }
}
