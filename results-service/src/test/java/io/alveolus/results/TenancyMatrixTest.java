package io.alveolus.results;

import io.alveolus.common.events.Priority;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.Tokens;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.AnalysisStatus;
import io.alveolus.persistence.AuditEvent;
import io.alveolus.persistence.TenantContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Role x endpoint x own/other tenant, with real Keycloak tokens. Another tenant's analysis must look exactly like
 * a missing one (404), and every such attempt must leave an audit line.
 */
@QuarkusTest
class TenancyMatrixTest {
    static final TenantId ST_MARYS = new TenantId("st-marys");
    @Inject
    ObjectStore store;

    UUID alicesStudy;
    UUID othersStudy;

    static Analysis analysis(TenantId tenant, String physician) {
        Analysis a = new Analysis();
        a.id = UUID.randomUUID();
        a.tenant = tenant.value();
        a.studyId = "MATRIX-" + a.id.toString().substring(0, 8);
        a.patientRef = "PSEUDO-M";
        a.referringPhysician = physician;
        a.priority = Priority.ROUTINE;
        a.imageSha256 = "0".repeat(64);
        a.imageKey = ObjectStore.imageKey(tenant, a.id.toString());
        a.heatmapKey = ObjectStore.heatmapKey(tenant, a.id);
        a.contentType = "image/png";
        a.status = AnalysisStatus.COMPLETED;
        a.probability = 0.91;
        a.positive = true;
        a.threshold = 0.5;
        a.modelVersion = "test";
        a.receivedAt = Instant.now();
        a.completedAt = Instant.now();
        return a;
    }

    UUID persist(Analysis a) {
        store.put(new TenantId(a.tenant), a.imageKey, new byte[]{1, 2, 3}, "image/png");
        store.put(new TenantId(a.tenant), a.heatmapKey, new byte[]{4, 5, 6}, "image/png");
        TenantContext.run(new TenantId(a.tenant), () -> QuarkusTransaction.requiringNew().run(a::persist));
        return a.id;
    }

    @BeforeEach
    void data() {
        alicesStudy = persist(analysis(ST_MARYS, "alice"));
        othersStudy = persist(analysis(ST_MARYS, "dr-someone-else"));
    }

    int status(String token, String method, String path) {
        var req = given().auth().oauth2(token).contentType("application/json");
        return switch (method) {
            case "GET" -> req.get(path).statusCode();
            case "POST" -> req.body("{\"label\":\"NO_PNEUMONIA\",\"comment\":\"matrix\"}").post(path).statusCode();
            default -> throw new IllegalArgumentException(method);
        };
    }

    @Test
    void roleByEndpointByTenant() {
        Map<String, String> tokens = new LinkedHashMap<>();
        for (String u : List.of("alice", "rachel", "adam", "olga", "bob", "nora")) {
            tokens.put(u, Tokens.user(u));
        }
        tokens.put("device", Tokens.device("st-marys"));
        String a = "/api/analyses/" + alicesStudy;
        String o = "/api/analyses/" + othersStudy;
        // expected status per caller for: [GET a, GET a/image, GET a/heatmap, GET o, POST o/review, GET list,
        //                                  GET audit, GET tenant settings, GET admin tenants]
        Map<String, int[]> expected = new LinkedHashMap<>();
        expected.put("alice", new int[]{200, 200, 200, 404, 403, 200, 403, 403, 403});
        expected.put("rachel", new int[]{200, 200, 200, 200, 200, 200, 403, 403, 403});
        expected.put("adam", new int[]{403, 403, 403, 403, 403, 403, 200, 200, 403});
        expected.put("olga", new int[]{403, 403, 403, 403, 403, 403, 403, 403, 200});
        expected.put("bob", new int[]{404, 404, 404, 404, 403, 200, 403, 403, 403});
        expected.put("nora", new int[]{404, 404, 404, 404, 404, 200, 403, 403, 403});
        expected.put("device", new int[]{403, 403, 403, 403, 403, 403, 403, 403, 403});
        String[][] calls = {{"GET", a}, {"GET", a + "/image"}, {"GET", a + "/heatmap"}, {"GET", o},
                {"POST", o + "/review"}, {"GET", "/api/analyses"}, {"GET", "/api/audit"},
                {"GET", "/api/tenant/settings"}, {"GET", "/api/admin/tenants"}};
        StringBuilder mismatches = new StringBuilder();
        expected.forEach((who, codes) -> {
            for (int i = 0; i < calls.length; i++) {
                int got = status(tokens.get(who), calls[i][0], calls[i][1]);
                if (got != codes[i]) {
                    mismatches.append(who).append(' ').append(calls[i][0]).append(' ').append(calls[i][1])
                            .append(": expected ").append(codes[i]).append(", got ").append(got).append('\n');
                }
            }
        });
        assertEquals("", mismatches.toString());

        // Lists never include what the caller may not see.
        List<String> bobSees = given().auth().oauth2(tokens.get("bob")).queryParam("size", 200).get("/api/analyses")
                .then().extract().path("items.id");
        assertTrue(bobSees.stream().noneMatch(id -> id.equals(alicesStudy.toString()) || id.equals(othersStudy.toString())));
        List<String> aliceSees = given().auth().oauth2(tokens.get("alice")).queryParam("size", 200).get("/api/analyses")
                .then().extract().path("items.id");
        assertTrue(aliceSees.contains(alicesStudy.toString()));
        assertTrue(!aliceSees.contains(othersStudy.toString()), "a physician sees only studies they referred");

        // The other tenant's attempt is in the audit trail, and st-marys' admin can read it.
        long bobsAttempts = QuarkusTransaction.requiringNew().call(() -> AuditEvent.count(
                "actor = ?1 and resourceId = ?2 and outcome = 'NOT_FOUND'", "bob", alicesStudy.toString()));
        assertTrue(bobsAttempts >= 3, "bob's 404s are audited: " + bobsAttempts);
        List<String> adamSees = given().auth().oauth2(tokens.get("adam")).queryParam("resourceId", alicesStudy.toString())
                .get("/api/audit").then().statusCode(200).extract().path("items.actor");
        assertTrue(adamSees.contains("alice") && adamSees.contains("rachel"), "reads by own users: " + adamSees);
        assertTrue(!adamSees.contains("bob"), "another tenant's caller is audited under their own tenant");
    }

    @Test
    void radiologistReviewIsRecordedBesideTheModel() {
        given().auth().oauth2(Tokens.user("rachel")).contentType("application/json")
                .body("{\"label\":\"NO_PNEUMONIA\",\"comment\":\"artefact, not consolidation\"}")
                .post("/api/analyses/" + othersStudy + "/review").then().statusCode(200);
        given().auth().oauth2(Tokens.user("rachel")).get("/api/analyses/" + othersStudy).then().statusCode(200)
                .body("positive", org.hamcrest.Matchers.equalTo(true))
                .body("reviewLabel", org.hamcrest.Matchers.equalTo("NO_PNEUMONIA"))
                .body("reviewedBy", org.hamcrest.Matchers.equalTo("rachel"))
                .body("reviewedAt", org.hamcrest.Matchers.notNullValue());
        given().auth().oauth2(Tokens.user("rachel")).contentType("application/json").body("{\"label\":\"MAYBE\"}")
                .post("/api/analyses/" + othersStudy + "/review").then().statusCode(400);
    }
}
