package io.alveolus.results;

import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.RawHttp;
import io.alveolus.common.testing.Tokens;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.AuditEvent;
import io.alveolus.persistence.TenantContext;
import io.alveolus.persistence.audit.AuditLog;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, item 4, against the real service: every error is problem+json with the status the client's input
 * deserves, security headers on every response, audit lines that survive absurd input and do not believe
 * X-Forwarded-For, links in documents from configuration, and junk bearer tokens refused without asking Keycloak.
 */
@QuarkusTest
class HttpHygieneTest {
    @Inject
    ObjectStore store;

    String rachel;
    UUID study;

    @BeforeEach
    void data() {
        rachel = Tokens.user("rachel");
        Analysis a = TenancyMatrixTest.analysis(TenancyMatrixTest.ST_MARYS, "alice");
        a.studyInstanceUid = "1.2.826.0.1.3680043.8.498." + Math.abs(a.id.getMostSignificantBits());
        store.put(new TenantId(a.tenant), a.imageKey, new byte[]{(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, "image/jpeg");
        store.put(new TenantId(a.tenant), a.heatmapKey, new byte[]{4, 5, 6}, "image/png");
        TenantContext.run(new TenantId(a.tenant), () -> QuarkusTransaction.requiringNew().run(a::persist));
        study = a.id;
    }

    /** A problem+json answer with this status whose detail names no Java class. */
    static void problem(Response r, int status, String what) {
        assertEquals(status, r.statusCode(), what + ": " + r.asString());
        assertTrue(r.contentType().startsWith("application/problem+json"), what + ": " + r.contentType());
        assertEquals(status, (int) r.path("status"), what);
        String detail = r.path("detail");
        assertFalse(detail == null || detail.matches("(?s).*(Exception|Error|java\\.|io\\.|com\\.).*"),
                what + " names an internal class: " + detail);
    }

    Response list(String path, String token, Object... query) {
        var req = given().auth().oauth2(token);
        for (int i = 0; i < query.length; i += 2) {
            req.queryParam((String) query[i], query[i + 1]);
        }
        return req.get(path);
    }

    @Test
    void pagingAndFiltersAreValidatedAs400Problems() {
        String adam = Tokens.user("adam");
        problem(list("/api/analyses", rachel, "page", 11000000, "size", 200), 400, "page overflow");
        problem(list("/api/analyses", rachel, "page", "abc"), 400, "page=abc");
        problem(list("/api/analyses", rachel, "size", "1e3"), 400, "size=1e3");
        problem(list("/api/analyses", rachel, "size", 0), 400, "size=0");
        problem(list("/api/analyses", rachel, "page", "99999999999999999999"), 400, "page beyond long");
        problem(list("/api/analyses", rachel, "positive", "maybe"), 400, "positive=maybe");
        problem(list("/api/analyses", rachel, "triage", "yes"), 400, "triage=yes");
        problem(list("/api/analyses", rachel, "from", "+1000000-01-01T00:00:00Z"), 400, "from far future");
        problem(list("/api/analyses", rachel, "to", "0001-01-01T00:00:00Z"), 400, "to before 1900");
        problem(list("/api/analyses", rachel, "from", "yesterday"), 400, "from=yesterday");
        problem(list("/api/analyses", rachel, "studyId", "x".repeat(500)), 400, "studyId longer than the column");
        problem(list("/api/audit", adam, "page", 11000000, "size", 200), 400, "audit page overflow");
        problem(list("/api/audit", adam, "page", "abc"), 400, "audit page=abc");
        problem(list("/api/audit", adam, "resourceId", "x".repeat(500)), 400, "audit resourceId");
        // the valid forms still work
        list("/api/analyses", rachel, "positive", "true", "triage", "false", "page", 0, "size", 200,
                "from", "2020-01-01T00:00:00Z").then().statusCode(200);
        list("/api/audit", adam, "page", 1, "size", 500).then().statusCode(200);
    }

    @Test
    void badJsonIsA400Problem() {
        for (String body : new String[]{"[1,2]", "{", "\"text\"", "{\"label\":[1]}", "[".repeat(100_000)}) {
            problem(given().auth().oauth2(rachel).contentType("application/json").body(body)
                    .post("/api/analyses/" + study + "/review"), 400, "review body " + body.substring(0, Math.min(10, body.length())));
        }
    }

    @Test
    void frameworkLimitsAnswerProblems() throws Exception {
        problem(given().auth().oauth2(rachel).get("/api/analyses/" + "a".repeat(10_000)), 414, "long URI");
        String declared = RawHttp.send(RestAssured.port, "POST /api/analyses/" + study + "/review HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer " + rachel + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: 209715200\r\n\r\n{");
        assertTrue(declared.startsWith("HTTP/1.1 413"), declared);
        assertTrue(declared.contains("application/problem+json") && declared.contains("\"status\":413"), declared);
        String bad = RawHttp.send(RestAssured.port, "POST /api/analyses/" + study + "/review HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: abc\r\n\r\n");
        assertFalse(bad.startsWith("HTTP/1.1 5"), bad);
    }

    @Test
    void securityHeadersOnEveryResponse() {
        for (Response r : new Response[]{
                given().get("/q/health/live"),
                given().get("/api/analyses"),
                given().auth().oauth2(rachel).get("/api/analyses/" + study),
                given().auth().oauth2(rachel).get("/api/analyses/" + study + "/image"),
                given().auth().oauth2(rachel).get("/api/analyses/" + UUID.randomUUID()),
                given().auth().oauth2(rachel).get("/no/such/path"),
                given().auth().oauth2("junk").get("/api/analyses")}) {
            assertEquals("nosniff", r.header("X-Content-Type-Options"));
            assertEquals("DENY", r.header("X-Frame-Options"));
            assertEquals("no-referrer", r.header("Referrer-Policy"));
            assertTrue(r.header("Content-Security-Policy").contains("frame-ancestors 'none'"));
            assertEquals(null, r.header("Strict-Transport-Security"), "HSTS is a production setting");
        }
        // the API's own policy allows nothing; the developer's Swagger UI keeps working with its looser one
        assertTrue(given().get("/api/analyses").header("Content-Security-Policy").startsWith("default-src 'none'"));
        given().get("/q/swagger-ui/").then().statusCode(200)
                .header("Content-Security-Policy", org.hamcrest.Matchers.containsString("script-src 'self' 'unsafe-inline'"));
    }

    @Test
    void auditSurvivesLongIdsAndIgnoresUntrustedForwardedFor() {
        String longId = "z".repeat(300);
        problem(given().auth().oauth2(rachel).header("X-Forwarded-For", "203.0.113.9, " + "1".repeat(300))
                .get("/api/analyses/" + longId), 404, "long id");
        AuditEvent line = QuarkusTransaction.requiringNew().call(() -> AuditEvent.<AuditEvent>find(
                "actor = ?1 and resourceId like ?2 order by id desc", "rachel", "zzzz%").firstResult());
        assertTrue(line != null && line.resourceId.length() <= 64 && line.outcome.equals("NOT_FOUND"), "audited");
        assertEquals("127.0.0.1", line.source, "X-Forwarded-For from an untrusted peer is not the source");

        given().auth().oauth2(rachel).header("X-Forwarded-For", "203.0.113.9").get("/api/analyses/" + study)
                .then().statusCode(200);
        AuditEvent read = QuarkusTransaction.requiringNew().call(() -> AuditEvent.<AuditEvent>find(
                "actor = ?1 and resourceId = ?2 order by id desc", "rachel", study.toString()).firstResult());
        assertEquals("127.0.0.1", read.source);
    }

    @Test
    void fhirLinksComeFromConfigurationNotFromTheHostHeader() {
        String bundle = given().auth().oauth2(rachel).header("Host", "evil.example")
                .header("X-Forwarded-Host", "evil2.example").get("/api/analyses/" + study + "/fhir")
                .then().statusCode(200).extract().asString();
        assertFalse(bundle.contains("evil"), bundle);
        assertTrue(bundle.contains("http://127.0.0.1:8083/api/analyses/" + study + "/heatmap"), bundle);
    }

    @Test
    void aReadThatCannotBeAuditedIsRefused() {
        QuarkusMock.installMockForType(new AuditLog() {
            @Override
            public void record(SecurityIdentity who, String action, String resourceType, String resourceId,
                               int httpStatus, String source) {
                throw new IllegalStateException("audit store down", new java.sql.SQLException("connection refused"));
            }
        }, AuditLog.class);
        Response r = given().auth().oauth2(rachel).get("/api/analyses/" + study);
        assertEquals(503, r.statusCode(), "served unaudited: " + r.statusCode() + " " + r.asString());
        assertFalse(r.asString().contains(study + "\",\"studyId"), r.asString());
        assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
        Response img = given().auth().oauth2(rachel).get("/api/analyses/" + study + "/image");
        assertEquals(503, img.statusCode(), "image served unaudited");
    }

    @Test
    void junkBearerTokensAre401WithoutIntrospectionOrErrorLog() {
        IntrospectionCounter.CALLS.set(0);
        java.util.List<LogRecord> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    errors.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(h);
        try {
            for (String junk : new String[]{"not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "x".repeat(4000)}) {
                Response r = given().auth().oauth2(junk).get("/api/analyses");
                problem(r, 401, "junk bearer");
                assertTrue(r.header("WWW-Authenticate").startsWith("Bearer"), r.header("WWW-Authenticate"));
            }
        } finally {
            root.removeHandler(h);
        }
        assertEquals(0, IntrospectionCounter.CALLS.get(), "introspection calls to Keycloak");
        assertTrue(errors.isEmpty(), "ERROR lines: " + errors.stream().map(LogRecord::getMessage).toList());
    }
}
