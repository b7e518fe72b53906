package io.alveolus.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.alveolus.common.testing.TestImages;
import io.alveolus.common.testing.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model version's life across the real services (issue 16): the operator registers a second version (a copy of
 * pneumonia-v1 with another calibration) through results-service's API, records its promotion gate and puts it in
 * shadow for St Mary's only; St Mary's uploads are then read by both versions (both stored), its clinicians see only
 * the active one, Northside is untouched; the operator promotes it for St Mary's — the running worker reads the next
 * upload with it, no restart — and rolls the promotion back in one call. Every move is in St Mary's audit trail.
 */
class ModelRolloutIT {
    static ServiceProcess ingest;
    static ServiceProcess results;
    static ServiceProcess worker;

    @BeforeAll
    static void start() throws Exception {
        ingest = new ServiceProcess("ingest-service", 18301).start();
        results = new ServiceProcess("results-service", 18303).start();
        worker = new ServiceProcess("inference-worker", 18302).start();
    }

    @AfterAll
    static void stop() throws Exception {
        try (Connection c = db(); PreparedStatement s = c.prepareStatement(
                "update tenant set active_model_version = null, shadow_model_version = null where id = 'st-marys'")) {
            s.executeUpdate();
        }
        ServiceProcess.closeAll(worker, ingest, results);
    }

    static Connection db() throws Exception {
        return DriverManager.getConnection(Stack.JDBC, "alveolus", "alveolus");
    }

    static String upload(String tenant, Path file, String study) {
        return given().auth().oauth2(Tokens.device(tenant)).multiPart("file", file.toFile(), "image/jpeg")
                .multiPart("studyId", study).multiPart("patientRef", "PSEUDO-" + study.hashCode())
                .multiPart("referringPhysician", tenant.equals("st-marys") ? "alice" : "bob")
                .multiPart("patientAge", "40").post(ingest.url() + "/api/images")
                .then().statusCode(202).extract().path("analysisId");
    }

    static void awaitCompleted(List<UUID> ids) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Map<String, Integer> counts = Stack.statusCounts(ids);
        while (counts.getOrDefault("COMPLETED", 0) < ids.size() && System.nanoTime() < end) {
            Thread.sleep(100);
            counts = Stack.statusCounts(ids);
        }
        assertEquals(Map.of("COMPLETED", ids.size()), counts);
    }

    /** model_version, model_sha256 of an analysis, and its shadow readings' versions. */
    static List<String> stored(UUID id) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = db()) {
            try (PreparedStatement s = c.prepareStatement("select model_version, model_sha256 from analysis where id = ?")) {
                s.setObject(1, id);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    out.add(r.getString(1));
                    out.add(r.getString(2));
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "select model_version from analysis_shadow where analysis_id = ? order by model_version")) {
                s.setObject(1, id);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(r.getString(1));
                    }
                }
            }
        }
        return out;
    }

    static String sha256Of(String version) throws Exception {
        try (Connection c = db(); PreparedStatement s = c.prepareStatement(
                "select content_sha256 from model_version where id = ?")) {
            s.setString(1, version);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }

    @Test
    void registerShadowPromoteAndRollBackWithoutRestartingTheWorker() throws Exception {
        Path v1 = ServiceProcess.ROOT.resolve("model/src/main/resources/alveolus/model/pneumonia-v1");
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(v1.resolve("manifest.json").toFile());
        String version = "pneumonia-v1-e2e-" + UUID.randomUUID().toString().substring(0, 8);
        manifest.put("version", version);
        ObjectNode cal = (ObjectNode) manifest.get("calibration");
        cal.put("a", cal.get("a").asDouble() * 1.5);
        String paramsFile = manifest.get("paramsFile").asText();
        String operator = Tokens.user("olga");
        given().auth().oauth2(operator).multiPart("manifest", "manifest.json", json.writeValueAsBytes(manifest),
                        "application/json")
                .multiPart("params", paramsFile, Files.readAllBytes(v1.resolve(paramsFile)), "application/octet-stream")
                .post(results.url() + "/api/admin/models").then().statusCode(201);
        given().auth().oauth2(operator).contentType("application/json").body(Map.of("accepted", true, "candidate",
                        Map.of("version", version, "sha256", sha256Of(version))))
                .put(results.url() + "/api/admin/models/" + version + "/gate").then().statusCode(200);
        given().auth().oauth2(operator).contentType("application/json")
                .body(Map.of("action", "SHADOW", "tenants", List.of("st-marys")))
                .post(results.url() + "/api/admin/models/" + version + "/rollout").then().statusCode(200);

        var films = TestImages.files("PNEUMONIA", 5);
        String tag = "ROLL-" + UUID.randomUUID().toString().substring(0, 8);
        UUID mary = UUID.fromString(upload("st-marys", films.get(0), tag + "-M1"));
        UUID north = UUID.fromString(upload("northside", films.get(1), tag + "-N1"));
        awaitCompleted(List.of(mary, north));
        String v3 = sha256Of("pneumonia-v3");
        assertEquals(List.of("pneumonia-v3", v3, version), stored(mary), "both outputs stored for St Mary's");
        assertEquals(List.of("pneumonia-v3", v3), stored(north), "Northside untouched: no shadow");
        String view = given().auth().oauth2(Tokens.user("alice")).get(results.url() + "/api/analyses/" + mary)
                .then().statusCode(200).extract().asString();
        assertTrue(view.contains("\"modelVersion\":\"pneumonia-v3\""), view);
        assertFalse(view.contains(version), "the clinician sees the active result only");

        // promoted for St Mary's: the running worker reads the next upload with it
        long promotion = ((Number) given().auth().oauth2(operator).contentType("application/json")
                .body(Map.of("action", "ACTIVATE", "tenants", List.of("st-marys")))
                .post(results.url() + "/api/admin/models/" + version + "/rollout").then().statusCode(200)
                .extract().path("rolloutId")).longValue();
        UUID mary2 = UUID.fromString(upload("st-marys", films.get(2), tag + "-M2"));
        UUID north2 = UUID.fromString(upload("northside", films.get(3), tag + "-N2"));
        awaitCompleted(List.of(mary2, north2));
        assertEquals(List.of(version, sha256Of(version)), stored(mary2), "promoted without a worker restart");
        assertEquals(List.of("pneumonia-v3", v3), stored(north2));
        given().auth().oauth2(Tokens.user("alice")).get(results.url() + "/api/analyses/" + mary2).then()
                .statusCode(200).body("modelVersion", org.hamcrest.Matchers.equalTo(version));

        // rolled back in one call: the default again, the shadow as before the promotion
        given().auth().oauth2(operator).post(results.url() + "/api/admin/models/rollouts/" + promotion + "/rollback")
                .then().statusCode(200);
        UUID mary3 = UUID.fromString(upload("st-marys", films.get(4), tag + "-M3"));
        awaitCompleted(List.of(mary3));
        assertEquals(List.of("pneumonia-v3", v3, version), stored(mary3));

        List<String> trail = new ArrayList<>();
        try (Connection c = db(); PreparedStatement s = c.prepareStatement(
                "select action from audit_event where tenant = 'st-marys' and action like 'model.%' and at > now() - interval '10 minutes'")) {
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    trail.add(r.getString(1));
                }
            }
        }
        assertTrue(trail.containsAll(List.of("model.shadow", "model.activate", "model.rollback")), "audited: " + trail);
    }
}
