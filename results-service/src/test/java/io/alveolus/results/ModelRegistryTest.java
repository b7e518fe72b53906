package io.alveolus.results;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.Tokens;
import io.alveolus.model.ModelBundle;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.AuditEvent;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.TenantContext;
import io.alveolus.persistence.model.ShadowReading;
import io.alveolus.persistence.model.ShadowReadings;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry's operator API against the real database, object store and Keycloak (issue 16): register (content
 * hash, object store, duplicates refused), the only path to active (gate report, then shadow readings, then
 * promotion), per-tenant moves that leave the other tenant alone, a rollback in one call, retirement, audit in each
 * tenant's trail, and who may see what: operators aggregates, the tenant admin its own comparison, clinicians only
 * the active version.
 */
@QuarkusTest
class ModelRegistryTest {
    static final TenantId ST_MARYS = new TenantId("st-marys");

    @Inject
    ObjectStore store;
    @Inject
    ShadowReadings shadows;

    static RequestSpecification as(String user) {
        return given().auth().oauth2(Tokens.user(user));
    }

    record Copy(String id, byte[] manifest, byte[] params, String sha) {
    }

    /** pneumonia-v1 under another id with a steeper calibration: the same weights, another version. */
    static Copy copyOfV1() throws Exception {
        ModelBundle v1 = ModelBundle.shipped("pneumonia-v1");
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(v1.manifestBytes());
        String id = "pneumonia-v1-reg-" + UUID.randomUUID().toString().substring(0, 8);
        manifest.put("version", id);
        ObjectNode cal = (ObjectNode) manifest.get("calibration");
        cal.put("a", cal.get("a").asDouble() * 1.5);
        byte[] bytes = json.writeValueAsBytes(manifest);
        return new Copy(id, bytes, v1.params(), ModelBundle.of(bytes, v1.params()).contentSha256());
    }

    static String register(Copy c) {
        return as("olga").multiPart("manifest", "manifest.json", c.manifest(), "application/json")
                .multiPart("params", "pneumonia-v1-0001.params", c.params(), "application/octet-stream")
                .post("/api/admin/models").then().statusCode(201).extract().path("id");
    }

    static long rollout(String id, Map<String, Object> body, int status) {
        var r = as("olga").contentType("application/json").body(body).post("/api/admin/models/" + id + "/rollout")
                .then().statusCode(status);
        return status == 200 ? ((Number) r.extract().path("rolloutId")).longValue() : -1;
    }

    static Tenant tenant(String id) {
        return QuarkusTransaction.requiringNew().call(() -> Tenant.findById(id));
    }

    @AfterEach
    void restore() {
        QuarkusTransaction.requiringNew().run(() -> {
            Tenant t = Tenant.findById(ST_MARYS.value());
            t.activeModelVersion = null;
            t.shadowModelVersion = null;
        });
    }

    @Test
    void registerShadowPromoteRollBackRetire() throws Exception {
        Copy c = copyOfV1();
        as("adam").multiPart("manifest", "manifest.json", c.manifest(), "application/json")
                .multiPart("params", "p.params", c.params(), "application/octet-stream")
                .post("/api/admin/models").then().statusCode(403);
        String id = register(c);
        assertEquals(c.id(), id);
        as("olga").get("/api/admin/models/" + id).then().statusCode(200).body("status", equalTo("CANDIDATE"))
                .body("contentSha256", equalTo(c.sha())).body("source", equalTo("REGISTRY"));
        String prefix = ObjectStore.modelKey(c.sha(), "manifest.json").replace("manifest.json", "");
        assertArrayEquals(c.manifest(), store.getModelObject(prefix + "manifest.json"), "stored content-addressed");
        String paramsFile = ModelBundle.shipped("pneumonia-v1").manifest().paramsFile();
        assertArrayEquals(c.params(), store.getModelObject(prefix + paramsFile));
        // the same id or the same content again: refused
        as("olga").multiPart("manifest", "manifest.json", c.manifest(), "application/json")
                .multiPart("params", "p.params", c.params(), "application/octet-stream")
                .post("/api/admin/models").then().statusCode(409);

        // the only path to active: gate, shadow readings, then promotion
        Map<String, Object> marys = Map.of("action", "ACTIVATE", "tenants", List.of("st-marys"));
        as("olga").contentType("application/json").body(marys).post("/api/admin/models/" + id + "/rollout")
                .then().statusCode(409).body("detail", containsString("promotion gate"));
        // a report must name the candidate's exact content
        as("olga").contentType("application/json").body(Map.of("accepted", true))
                .put("/api/admin/models/" + id + "/gate").then().statusCode(400);
        as("olga").contentType("application/json").body(Map.of("accepted", true, "candidate",
                        Map.of("version", id, "sha256", "0".repeat(64))))
                .put("/api/admin/models/" + id + "/gate").then().statusCode(409).body("detail",
                        containsString("not model version"));
        as("olga").contentType("application/json").body(Map.of("accepted", true, "candidate",
                        Map.of("version", id, "sha256", c.sha()), "deltaAuroc", Map.of("adult", 0.0)))
                .put("/api/admin/models/" + id + "/gate").then().statusCode(200).body("gateAccepted", equalTo(true));
        as("olga").contentType("application/json").body(marys).post("/api/admin/models/" + id + "/rollout")
                .then().statusCode(409).body("detail", containsString("shadow"));

        long shadowRollout = rollout(id, Map.of("action", "SHADOW", "tenants", List.of("st-marys")), 200);
        assertEquals(id, tenant("st-marys").shadowModelVersion);
        assertNull(tenant("northside").shadowModelVersion, "the other tenant untouched");
        as("olga").get("/api/admin/models/" + id).then().body("status", equalTo("SHADOW"))
                .body("shadowFor", equalTo(List.of("st-marys")));

        // a shadow reading of a St Mary's analysis, as the worker stores it
        Analysis a = TenancyMatrixTest.analysis(ST_MARYS, "alice");
        a.modelVersion = "pneumonia-v3";
        TenantContext.run(ST_MARYS, () -> QuarkusTransaction.requiringNew().run(() -> {
            a.persist();
            Analysis.getEntityManager().flush();
            shadows.record(new ShadowReading(a.id, ST_MARYS.value(), id, c.sha(), "COMPLETED", 0.42, !a.positive,
                    0.5, null, null, Instant.now()));
        }));
        // clinicians see the active result only; the tenant admin sees its comparison; operators counts only
        String view = as("alice").get("/api/analyses/" + a.id).then().statusCode(200)
                .body("modelVersion", equalTo("pneumonia-v3")).extract().asString();
        assertFalse(view.contains(id), "no trace of the shadow version in a clinician's view");
        as("alice").get("/api/shadow").then().statusCode(403);
        as("adam").get("/api/shadow").then().statusCode(200).body("shadowVersion", equalTo(id))
                .body("recent.analysisId", hasItem(a.id.toString()))
                .body("summaries.find { it.shadowVersion == '" + id + "' }.compared", equalTo(1))
                .body("summaries.find { it.shadowVersion == '" + id + "' }.agreed", equalTo(0));
        String summary = as("olga").get("/api/admin/models/" + id + "/shadow-summary").then().statusCode(200)
                .body("[0].tenant", equalTo("st-marys")).body("[0].compared", equalTo(1)).extract().asString();
        assertFalse(summary.contains(a.id.toString()), "the operator never sees an analysis");
        as("adam").get("/api/admin/models/" + id + "/shadow-summary").then().statusCode(403);

        long promotion = rollout(id, marys, 200);
        assertEquals(id, tenant("st-marys").activeModelVersion);
        assertNull(tenant("st-marys").shadowModelVersion, "promoted out of shadow");
        assertNull(tenant("northside").activeModelVersion);
        as("alice").get("/api/model").then().statusCode(200).body("version", equalTo(id));
        as("bob").get("/api/model").then().statusCode(200).body("version", equalTo("pneumonia-v3"));
        as("olga").get("/api/admin/models/" + id).then().body("status", equalTo("ACTIVE"))
                .body("activeFor", equalTo(List.of("st-marys")));

        // one call undoes the promotion: back to what St Mary's ran before it (the default, with the shadow)
        as("olga").post("/api/admin/models/rollouts/" + promotion + "/rollback").then().statusCode(200);
        assertNull(tenant("st-marys").activeModelVersion);
        assertEquals(id, tenant("st-marys").shadowModelVersion);
        as("alice").get("/api/model").then().body("version", equalTo("pneumonia-v3"));
        as("olga").post("/api/admin/models/rollouts/" + promotion + "/rollback").then().statusCode(409);
        as("olga").get("/api/admin/models/rollouts").then().statusCode(200)
                .body("find { it.id == " + promotion + " }.rolledBackBy", equalTo("olga"));

        // retire: refused while in use, then done, then nothing may move onto it
        as("olga").post("/api/admin/models/" + id + "/retire").then().statusCode(409);
        rollout(id, Map.of("action", "END_SHADOW", "tenants", List.of("st-marys")), 200);
        as("olga").post("/api/admin/models/" + id + "/retire").then().statusCode(200).body("status", equalTo("RETIRED"));
        rollout(id, Map.of("action", "SHADOW", "tenants", List.of("st-marys")), 409);

        // audited in St Mary's own trail, not in Northside's
        List<String> marysTrail = QuarkusTransaction.requiringNew().call(() -> AuditEvent.<AuditEvent>list(
                "tenant = ?1 and resourceId in (?2, ?3)", "st-marys", id, String.valueOf(promotion)).stream()
                .map(e -> e.action).toList());
        assertTrue(marysTrail.containsAll(List.of("model.shadow", "model.activate", "model.rollback", "model.end-shadow")),
                "every move in the tenant's audit trail: " + marysTrail);
        long northside = QuarkusTransaction.requiringNew().call(() -> AuditEvent.count(
                "tenant = ?1 and resourceId = ?2", "northside", id));
        assertEquals(0, northside);
        assertTrue(shadowRollout > 0);
    }

    @Test
    void percentagesAreStableAndInputIsChecked() {
        as("olga").contentType("application/json").body(Map.of("action", "SHADOW", "percent", 0))
                .post("/api/admin/models/pneumonia-v2/rollout").then().statusCode(400);
        as("olga").contentType("application/json").body(Map.of("action", "SHADOW", "all", true, "percent", 50))
                .post("/api/admin/models/pneumonia-v2/rollout").then().statusCode(400);
        as("olga").contentType("application/json").body(Map.of("action", "BOGUS", "all", true))
                .post("/api/admin/models/pneumonia-v2/rollout").then().statusCode(400);
        as("olga").contentType("application/json").body(Map.of("action", "SHADOW", "tenants", List.of("nowhere")))
                .post("/api/admin/models/pneumonia-v2/rollout").then().statusCode(404);
        as("olga").multiPart("manifest", "manifest.json", "{\"version\":\"Bad Version\"}".getBytes(), "application/json")
                .multiPart("params", "p.params", new byte[]{1}, "application/octet-stream")
                .post("/api/admin/models").then().statusCode(400);
        as("olga").get("/api/admin/models").then().log().ifValidationFails().statusCode(200)
                .body("find { it.id == 'pneumonia-v3' }.source", equalTo("SHIPPED"))
                .body("findAll { it.platformDefault }.size()", equalTo(1))
                .body("id", not(hasItem(nullValue())));
    }
}
