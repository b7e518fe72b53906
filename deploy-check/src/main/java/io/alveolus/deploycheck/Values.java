package io.alveolus.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Effective chart values the way Helm merges them (values.yaml, then -f files in order, then --set),
 * so checks can compare rendered output with the intent independently of the templates.
 */
public final class Values {

    private Values() {
    }

    public static JsonNode effective(Path chartDir, List<String> valuesFiles, Map<String, Object> overrides) {
        ObjectNode merged = read(chartDir.resolve("values.yaml"));
        for (String f : valuesFiles) {
            merge(merged, read(chartDir.resolve(f)));
        }
        for (Map.Entry<String, Object> e : overrides.entrySet()) {
            set(merged, e.getKey(), e.getValue());
        }
        return merged;
    }

    public static ObjectNode read(Path file) {
        try {
            JsonNode node = Manifests.YAML.readTree(file.toFile());
            return node instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void merge(ObjectNode target, ObjectNode source) {
        Iterator<Map.Entry<String, JsonNode>> it = source.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode existing = target.get(e.getKey());
            if (existing instanceof ObjectNode t && e.getValue() instanceof ObjectNode s) {
                merge(t, s);
            } else if (e.getValue() == null || e.getValue().isNull()) {
                target.remove(e.getKey());
            } else {
                target.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }

    static void set(ObjectNode root, String dottedKey, Object value) {
        String[] parts = dottedKey.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (!(child instanceof ObjectNode)) {
                child = node.putObject(parts[i]);
            }
            node = (ObjectNode) child;
        }
        node.set(parts[parts.length - 1], Manifests.YAML.valueToTree(value));
    }
}
