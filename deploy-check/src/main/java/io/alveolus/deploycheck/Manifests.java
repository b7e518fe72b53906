package io.alveolus.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The documents of one render, parsed generically (Jackson YAML); typed views via {@link #as}.
 */
public final class Manifests {

    public static final YAMLMapper YAML = YAMLMapper.builder().build();
    /** Shared: building a mapper and its fabric8 deserializers is the expensive part of a typed read. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<ObjectNode> documents;

    private Manifests(List<ObjectNode> documents) {
        this.documents = Collections.unmodifiableList(documents);
    }

    /** Parses a multi-document YAML stream; empty documents are dropped, anything but a mapping is an error. */
    public static Manifests parse(String yaml) {
        List<ObjectNode> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(yaml)) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode node = it.next();
                if (node == null || node.isNull() || node.isMissingNode()) {
                    continue;
                }
                if (!node.isObject()) {
                    throw new IllegalArgumentException("Rendered document is not a mapping: " + node);
                }
                docs.add((ObjectNode) node);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Rendered output is not valid YAML", e);
        }
        return new Manifests(docs);
    }

    public List<ObjectNode> all() {
        return documents;
    }

    public List<ObjectNode> ofKind(String kind) {
        return documents.stream().filter(d -> kind.equals(kind(d))).collect(Collectors.toList());
    }

    public Optional<ObjectNode> find(String kind, String name) {
        return documents.stream().filter(d -> kind.equals(kind(d)) && name.equals(name(d))).findFirst();
    }

    public <T> List<T> ofKind(String kind, Class<T> type) {
        return ofKind(kind).stream().map(d -> as(d, type)).collect(Collectors.toList());
    }

    public static <T> T as(JsonNode node, Class<T> type) {
        try {
            return JSON.treeToValue(node, type);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + kind(node) + "/" + name(node) + " as " + type.getSimpleName(), e);
        }
    }

    public static String kind(JsonNode d) {
        return d.path("kind").asText(null);
    }

    public static String apiVersion(JsonNode d) {
        return d.path("apiVersion").asText(null);
    }

    public static String name(JsonNode d) {
        return d.path("metadata").path("name").asText(null);
    }

    public static String id(JsonNode d) {
        return apiVersion(d) + " " + kind(d) + "/" + name(d);
    }
}
