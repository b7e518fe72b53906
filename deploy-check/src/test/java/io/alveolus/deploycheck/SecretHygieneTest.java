package io.alveolus.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Credentials only ever come from existing Secrets: the chart renders no Secret and no password-looking literal. */
class SecretHygieneTest {

    /** Keys whose value would be a credential if it were a literal. */
    static final Set<String> SECRET_KEYS = Set.of("password", "passwd", "pwd", "secret", "clientsecret", "token",
            "apikey", "accesskey", "secretkey", "accesskeyid", "secretaccesskey", "privatekey", "credentials", "jaasconfig");
    /** Environment variable names that carry credentials. */
    static final Pattern SECRET_ENV = Pattern.compile("(?i).*(PASSWORD|SECRET|TOKEN|ACCESS_KEY|SECRET_KEY|JAAS|CREDENTIAL).*");
    /** Settings whose names look like credentials but are not. */
    static final Set<String> NOT_SECRET_ENV = Set.of("QUARKUS_OIDC_TOKEN_AUDIENCE", "QUARKUS_OIDC_TOKEN_ISSUER");
    /** Credentials embedded in a larger string: URLs with user:pass@, key=value pairs, JAAS, PEM keys. */
    static final Pattern EMBEDDED = Pattern.compile(
            "(?i)(://[^/\\s:@]+:[^/\\s@]+@)|((password|passwd|pwd|secret)\\s*[=:]\\s*\\S)|(-----BEGIN [A-Z ]*PRIVATE KEY-----)");
    /** Keycloak realm-import placeholders, filled by the operator from a Secret. */
    static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{[A-Z0-9_]+}");

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.alveolus.deploycheck.Scenario#all")
    void noSecretObjectsAndNoCredentialLiterals(Scenario scenario) {
        List<String> problems = new ArrayList<>();
        for (ObjectNode d : scenario.manifests().all()) {
            if ("Secret".equals(Manifests.kind(d))) {
                problems.add("renders a Secret: " + Manifests.id(d));
            }
            scan(d, Manifests.id(d), problems);
        }
        report(scenario.toString(), problems);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.alveolus.deploycheck.Scenario#all")
    void credentialEnvironmentVariablesComeFromSecretKeyRefs(Scenario scenario) {
        List<String> problems = new ArrayList<>();
        for (ObjectNode d : scenario.manifests().ofKind("Deployment")) {
            for (JsonNode c : d.path("spec").path("template").path("spec").path("containers")) {
                for (JsonNode env : c.path("env")) {
                    String name = env.path("name").asText();
                    if (SECRET_ENV.matcher(name).matches() && !NOT_SECRET_ENV.contains(name)) {
                        if (env.has("value") || !env.path("valueFrom").has("secretKeyRef")) {
                            problems.add(Manifests.name(d) + ": " + name + " is not read from a Secret");
                        }
                    }
                }
                if (c.has("envFrom")) {
                    problems.add(Manifests.name(d) + ": envFrom hides which keys a container reads");
                }
            }
        }
        report(scenario.toString(), problems);
    }

    @Test
    void valuesFilesHoldNoCredentials() throws IOException {
        List<String> problems = new ArrayList<>();
        Path chart = Scenario.RENDERER.chartDir();
        try (Stream<Path> files = Files.list(chart)) {
            List<Path> valuesFiles = files.filter(p -> p.getFileName().toString().matches("values.*\\.ya?ml")).toList();
            assertTrue(valuesFiles.size() >= 4, "values.yaml, -dev, -prod, -gpu");
            for (Path f : valuesFiles) {
                scan(Manifests.YAML.readTree(f.toFile()), f.getFileName().toString(), problems);
            }
        }
        report("values files", problems);
    }

    @Test
    void theScanCatchesWhatItShould() {
        List<String> problems = new ArrayList<>();
        JsonNode bad = Manifests.YAML.valueToTree(Map.of(
                "spec", Map.of("password", "hunter2", "url", "postgres://app:hunter2@db:5432/x",
                        "args", List.of("--secret=abc"), "secretName", "fine", "key", "password")));
        scan(bad, "sample", problems);
        assertEquals(3, problems.size(), problems.toString());
    }

    static void scan(JsonNode node, String path, List<String> problems) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey().toLowerCase().replaceAll("[^a-z]", "");
                JsonNode value = e.getValue();
                if (SECRET_KEYS.contains(key) && value.isValueNode() && !value.isNull() && !value.isBoolean()
                        && !value.asText().isEmpty() && !PLACEHOLDER.matcher(value.asText()).matches()) {
                    problems.add(path + "." + e.getKey() + " is a literal credential");
                }
                scan(value, path + "." + e.getKey(), problems);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                scan(node.get(i), path + "[" + i + "]", problems);
            }
        } else if (node.isTextual() && EMBEDDED.matcher(node.asText()).find()) {
            problems.add(path + " embeds a credential: " + node.asText());
        }
    }

    private static void report(String what, List<String> problems) {
        if (!problems.isEmpty()) {
            fail(what + ":\n  " + String.join("\n  ", problems));
        }
    }
}
