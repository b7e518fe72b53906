package io.alveolus.results.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * STOW-RS (DICOM PS3.18 10.5) to a destination's DICOMweb base URL: one instance per request, so each delivery's
 * outcome is its own. Success is a 200 whose answer names no failed instance; anything else fails the attempt
 * (the outbox retries it), with the PACS's own words in the error.
 */
@ApplicationScoped
public class StowRsExporter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public void send(PacsDestinations.Destination d, byte[] part10) throws Exception {
        String boundary = "alveolus-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream(part10.length + 256);
        body.write(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.write(part10);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        String base = d.url().endsWith("/") ? d.url().substring(0, d.url().length() - 1) : d.url();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/studies"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .header("Accept", "application/dicom+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("STOW-RS to " + d.id() + " answered " + r.statusCode() + ": "
                    + abbreviate(r.body()));
        }
        // 00081198 Failed SOP Sequence: the PACS took the request but not the instance
        JsonNode answer = r.body().isBlank() ? null : JSON.readTree(r.body());
        if (answer != null && answer.has("00081198") && answer.get("00081198").has("Value")
                && !answer.get("00081198").get("Value").isEmpty()) {
            throw new IllegalStateException("STOW-RS to " + d.id() + " refused the instance: " + abbreviate(r.body()));
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
