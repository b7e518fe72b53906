package io.alveolus.portal.backend;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alveolus.common.api.AnalysisView;
import io.alveolus.common.api.Page;
import io.quarkus.oidc.AccessTokenCredential;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The results and ingest services, called with the logged-in user's own access token (from the session, never
 * handed to the page). Replies are passed through as they are: status, content type and body (problem+json).
 */
@RequestScoped
public class Backend {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @ConfigProperty(name = "alveolus.results.url")
    String resultsUrl;
    @ConfigProperty(name = "alveolus.ingest.url")
    String ingestUrl;
    @Inject
    AccessTokenCredential token;
    @Inject
    ObjectMapper json;

    /** A downstream reply. */
    public record Reply(int status, String contentType, byte[] body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    public Page<AnalysisView> analyses(Map<String, String> query) {
        StringBuilder q = new StringBuilder();
        query.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                q.append(q.isEmpty() ? "?" : "&").append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return read(require(get(resultsUrl + "/api/analyses" + q)), new TypeReference<>() {
        });
    }

    /** One analysis, or a reply with its status (404 for another tenant's or a missing one). */
    public Reply analysis(UUID id) {
        return get(resultsUrl + "/api/analyses/" + id);
    }

    public AnalysisView view(Reply reply) {
        return read(reply, new TypeReference<>() {
        });
    }

    /** The tenant's deliveries of AI results to its PACS/RIS (tenant admins only), newest first. */
    public List<Map<String, Object>> deliveries() {
        return read(require(get(resultsUrl + "/api/deliveries")), new TypeReference<>() {
        });
    }

    /** The tenant's own PACS/RIS destinations (tenant admins only). */
    public List<Map<String, Object>> destinations() {
        return read(require(get(resultsUrl + "/api/tenant/pacs-destinations")), new TypeReference<>() {
        });
    }

    /** Per tenant, the latest monitoring figures (platform operators only; aggregates, no patient data). */
    public Map<String, Object> monitoring() {
        return read(require(get(resultsUrl + "/api/admin/monitoring")), new TypeReference<>() {
        });
    }

    /** One tenant's monitoring snapshots over the last {@code hours}, thinned to at most {@code points}. */
    public Map<String, Object> monitoringHistory(String tenant, int hours, int points) {
        return read(require(get(resultsUrl + "/api/admin/monitoring/" + URLEncoder.encode(tenant, StandardCharsets.UTF_8)
                + "/history?hours=" + hours + "&points=" + points)), new TypeReference<>() {
        });
    }

    /** The image as the portal shows it: results-service's PNG preview (DICOM included: browsers cannot show it). */
    public Reply image(UUID id) {
        return get(resultsUrl + "/api/analyses/" + id + "/preview");
    }

    public Reply heatmap(UUID id) {
        return get(resultsUrl + "/api/analyses/" + id + "/heatmap");
    }

    /** The model manifest (metrics, threshold, data), or null when the results service has none. */
    public JsonNode model() {
        Reply r = get(resultsUrl + "/api/model");
        if (!r.ok()) {
            return null;
        }
        try {
            return json.readTree(r.body());
        } catch (IOException e) {
            return null;
        }
    }

    public Reply review(UUID id, String label, String comment) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("label", label);
        body.put("comment", comment);
        try {
            return send(HttpRequest.newBuilder(URI.create(resultsUrl + "/api/analyses/" + id + "/review"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Forwards one image with its study fields to ingest as multipart/form-data. */
    public Reply upload(Map<String, String> fields, String fileName, String fileType, Path file) {
        String boundary = "alveolus-" + UUID.randomUUID();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (var f : fields.entrySet()) {
                if (f.getValue() != null) {
                    out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey()
                            + "\"\r\n\r\n" + f.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            if (file != null) {
                String name = fileName == null ? "image" : fileName.replaceAll("[\"\\r\\n\\\\]", "_");
                out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name
                        + "\"\r\nContent-Type: " + (fileType == null ? "application/octet-stream" : fileType)
                        + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                out.write(Files.readAllBytes(file));
                out.write("\r\n".getBytes(StandardCharsets.UTF_8));
            }
            out.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return send(HttpRequest.newBuilder(URI.create(ingestUrl + "/api/images"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())));
    }

    private Reply get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    private Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> r = HTTP.send(request.timeout(Duration.ofSeconds(30))
                            .header("Authorization", "Bearer " + token.getToken()).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse("application/octet-stream"),
                    r.body());
        } catch (IOException e) {
            throw new BackendException(503, "a backend service is unreachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(503, "interrupted");
        }
    }

    private Reply require(Reply r) {
        if (!r.ok()) {
            throw new BackendException(r.status(), detail(r));
        }
        return r;
    }

    /** The problem+json detail of an error reply, or a short fallback. */
    public String detail(Reply r) {
        try {
            JsonNode n = json.readTree(r.body());
            if (n != null && n.hasNonNull("detail")) {
                return n.get("detail").asText();
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON
        }
        return "backend answered " + r.status();
    }

    private <T> T read(Reply r, TypeReference<T> type) {
        try {
            return json.readValue(r.body(), type);
        } catch (IOException e) {
            throw new BackendException(502, "unreadable backend reply");
        }
    }
}
