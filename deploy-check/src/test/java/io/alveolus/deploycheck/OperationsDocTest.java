package io.alveolus.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/operations.md keeps up with the chart: its sections exist and it names every Secret production needs. */
class OperationsDocTest {

    static String doc() throws IOException {
        return Files.readString(Scenario.RENDERER.repoRoot().resolve("docs/operations.md"));
    }

    @Test
    void coversInstallOrderSizingModelUpgradesAndSecretRotation() throws IOException {
        String doc = doc();
        for (String heading : List.of("## 4. Install order", "## 5. Sizing", "## 6. Upgrading the model", "## 7. Rotating secrets",
                "## 3. Container images")) {
            assertTrue(doc.contains(heading), "docs/operations.md lacks " + heading);
        }
        assertTrue(doc.contains("quarkus.container-image.build=true"), "Jib build command documented");
        assertTrue(Files.isRegularFile(Scenario.RENDERER.repoRoot().resolve("helm/images/inference-worker-gpu.Dockerfile")));
    }

    @Test
    void namesEverySecretTheProductionManifestsReference() throws IOException {
        String doc = doc();
        Set<String> secrets = new TreeSet<>();
        for (Scenario s : List.of(Scenario.PROD, Scenario.PROD_GPU, Scenario.DEV)) {
            for (ObjectNode d : s.manifests().all()) {
                collect(d, null, secrets);
            }
        }
        assertTrue(secrets.size() >= 8, "found " + secrets);
        Set<String> missing = new TreeSet<>();
        for (String name : secrets) {
            if (!doc.contains("`" + name + "`") && !doc.contains(name + " ")) {
                missing.add(name);
            }
        }
        assertTrue(missing.isEmpty(), "docs/operations.md does not mention Secrets " + missing + " (referenced: " + secrets + ")");
    }

    /** Secret names: secretKeyRef/secretName/tlsSecret/… fields, and CR fields that reference Secrets by name. */
    private static void collect(JsonNode node, String parentKey, Set<String> out) {
        if (node.isObject()) {
            if ("secretKeyRef".equals(parentKey) || "secret".equals(parentKey) || "configuration".equals(parentKey)
                    || "usernameSecret".equals(parentKey) || "passwordSecret".equals(parentKey)
                    || "accessKeyId".equals(parentKey) || "secretAccessKey".equals(parentKey)) {
                if (node.path("name").isTextual()) {
                    out.add(node.path("name").asText());
                }
            }
            if ("secretTargetRef".equals(parentKey)) {
                out.add(node.path("name").asText());
            }
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (Set.of("secretName", "tlsSecret").contains(e.getKey()) && e.getValue().isTextual()) {
                    out.add(e.getValue().asText());
                }
                collect(e.getValue(), e.getKey(), out);
            }
        } else if (node.isArray()) {
            for (JsonNode n : node) {
                if ("users".equals(parentKey) && n.path("name").isTextual()) {
                    out.add(n.path("name").asText());
                }
                collect(n, parentKey, out);
            }
        }
    }
}
