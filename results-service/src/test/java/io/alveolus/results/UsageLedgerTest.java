package io.alveolus.results;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.alveolus.common.events.AnalysisCompleted;
import io.alveolus.common.events.Topics;
import io.alveolus.common.testing.EventProbe;
import io.alveolus.common.testing.Tokens;
import io.alveolus.persistence.Tenant;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The metering consumer reads the real topic; redelivered and re-announced events must not count twice. */
@QuarkusTest
class UsageLedgerTest {
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /**
     * A billing period of its own (far in the future), so the test's totals are exactly its events: one no earlier
     * run against the same database has used (a persistent dev database keeps them).
     */
    YearMonth period;

    @org.junit.jupiter.api.BeforeEach
    void freshPeriod() {
        do {
            period = YearMonth.of(2200 + new Random().nextInt(700), 1 + new Random().nextInt(12));
        } while (rows() > 0);
    }

    AnalysisCompleted event(String tenant, String status, int day, boolean overage) {
        Instant at = period.atDay(day).atTime(10, 0).toInstant(ZoneOffset.UTC);
        return new AnalysisCompleted(UUID.randomUUID(), tenant, "ACC-1", status, 0.9, true, "v1", null, at,
                at.minusSeconds(2), 40, 1000, 300L, overage);
    }

    @Test
    void eachCompletedAnalysisIsCountedOnceAndExportedPerPeriod() throws Exception {
        var a1 = event("st-marys", "COMPLETED", 1, false);
        var a2 = event("st-marys", "COMPLETED", 1, true);
        var a3 = event("st-marys", "COMPLETED", 2, false);
        var failed = event("st-marys", "FAILED", 2, false);
        var b1 = event("northside", "COMPLETED", 3, false);
        // a1 and a2 twice, as a worker that crashed before committing its offsets re-announces them
        send(List.of(a1, a2, a1, a3, failed, b1, a2));
        long end = System.nanoTime() + 30_000_000_000L;
        while (rows() < 4 && System.nanoTime() < end) {
            Thread.sleep(200);
        }
        Thread.sleep(1000); // the duplicates were sent after their originals: give them time to (not) land
        assertEquals(4, rows(), "a1, a2, a3 and b1 once each; the failed analysis is not billed");
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("alveolus_usage_studies_total{tenant=\"northside\"}"));

        given().auth().oauth2(Tokens.user("olga")).queryParam("period", period.toString()).get("/api/admin/usage")
                .then().statusCode(200).body("period", equalTo(period.toString()))
                .body("totals.st-marys.studies", equalTo(3)).body("totals.st-marys.overageStudies", equalTo(1))
                .body("totals.st-marys.inferenceMs", equalTo(120)).body("totals.st-marys.storageBytes", equalTo(3900))
                .body("totals.northside.studies", equalTo(1)).body("days", hasSize(3));
        String csv = given().auth().oauth2(Tokens.user("olga")).queryParam("period", period.toString())
                .queryParam("format", "csv").get("/api/admin/usage").then().statusCode(200)
                .contentType("text/csv").extract().asString();
        assertEquals("tenant,day,studies,overage_studies,inference_ms,storage_bytes,not_applicable\n"
                + "northside," + period.atDay(3) + ",1,0,40,1300,0\n"
                + "st-marys," + period.atDay(1) + ",2,1,80,2600,0\n"
                + "st-marys," + period.atDay(2) + ",1,0,40,1300,0\n", csv);

        // a hospital's administrator sees only the hospital's own usage
        given().auth().oauth2(Tokens.user("adam")).queryParam("period", period.toString()).get("/api/tenant/usage")
                .then().statusCode(200).body("totals.st-marys.studies", equalTo(3))
                .body("totals.northside", org.hamcrest.Matchers.nullValue());
        given().auth().oauth2(Tokens.user("adam")).get("/api/admin/usage").then().statusCode(403);
        given().auth().oauth2(Tokens.user("rachel")).get("/api/tenant/usage").then().statusCode(403);
        given().auth().oauth2(Tokens.user("olga")).queryParam("period", "2026-13").get("/api/admin/usage")
                .then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(Tokens.user("olga")).queryParam("format", "xml").get("/api/admin/usage")
                .then().statusCode(400);
    }

    /** What the worker announces for an image the model may not read: no probability, a reason. */
    AnalysisCompleted notApplicable(String tenant, int day, boolean overage) {
        Instant at = period.atDay(day).atTime(11, 0).toInstant(ZoneOffset.UTC);
        // model time and bytes as the worker reports them: the ledger must still not bill any of it
        return new AnalysisCompleted(UUID.randomUUID(), tenant, "ACC-NA", "NOT_APPLICABLE", null, null,
                "pneumonia-v2", null, at, at.minusSeconds(2), 40, 1000, null, overage,
                "not a frontal chest radiograph", null);
    }

    @Test
    void notApplicableAnalysesAreCountedApartAndNeverBilled() throws Exception {
        var a1 = event("st-marys", "COMPLETED", 4, false);
        var na1 = notApplicable("st-marys", 4, false);
        var na2 = notApplicable("st-marys", 5, true); // over the allowance, yet nothing to bill
        var nb1 = notApplicable("northside", 5, false);
        send(List.of(a1, na1, na2, nb1, na1, na2)); // na1 and na2 re-announced
        long end = System.nanoTime() + 30_000_000_000L;
        while (rows() < 4 && System.nanoTime() < end) {
            Thread.sleep(200);
        }
        Thread.sleep(1000);
        assertEquals(4, rows(), "a1 and the three not-applicable analyses, once each");
        given().get("/q/metrics").then().statusCode(200).body(org.hamcrest.Matchers.containsString(
                "alveolus_usage_not_applicable_total{tenant=\"northside\"}"));

        given().auth().oauth2(Tokens.user("olga")).queryParam("period", period.toString()).get("/api/admin/usage")
                .then().statusCode(200)
                .body("totals.st-marys.studies", equalTo(1)).body("totals.st-marys.notApplicable", equalTo(2))
                .body("totals.st-marys.overageStudies", equalTo(0)).body("totals.st-marys.inferenceMs", equalTo(40))
                .body("totals.st-marys.storageBytes", equalTo(1300))
                .body("totals.northside.studies", equalTo(0)).body("totals.northside.notApplicable", equalTo(1))
                .body("totals.northside.inferenceMs", equalTo(0)).body("totals.northside.storageBytes", equalTo(0))
                .body("days", hasSize(3));
        String csv = given().auth().oauth2(Tokens.user("adam")).queryParam("period", period.toString())
                .queryParam("format", "csv").get("/api/tenant/usage").then().statusCode(200)
                .contentType("text/csv").extract().asString();
        assertEquals("tenant,day,studies,overage_studies,inference_ms,storage_bytes,not_applicable\n"
                + "st-marys," + period.atDay(4) + ",1,0,40,1300,1\n"
                + "st-marys," + period.atDay(5) + ",0,0,0,0,1\n", csv);
    }

    static void send(List<AnalysisCompleted> events) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", EventProbe.BOOTSTRAP);
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (AnalysisCompleted e : events) {
                producer.send(new ProducerRecord<>(Topics.ANALYSIS_COMPLETED, e.analysisId().toString(),
                        JSON.writeValueAsString(e))).get();
            }
        }
    }

    @Test
    void theLedgerIsAppendOnly() {
        var e = event("st-marys", "COMPLETED", 5, false);
        QuarkusTransaction.requiringNew().run(() -> Tenant.getEntityManager().createNativeQuery("""
                insert into usage_record (analysis_id, tenant, usage_day, studies, inference_ms, storage_bytes, overage,
                completed_at) values (:id, 'st-marys', :day, 1, 1, 1, false, now())""")
                .setParameter("id", e.analysisId()).setParameter("day", period.atDay(5)).executeUpdate());
        var thrown = assertThrows(RuntimeException.class, () -> QuarkusTransaction.requiringNew().run(() ->
                Tenant.getEntityManager().createNativeQuery("update usage_record set studies = 0 where analysis_id = :id")
                        .setParameter("id", e.analysisId()).executeUpdate()));
        assertTrue(String.valueOf(rootMessage(thrown)).contains("append-only"), rootMessage(thrown));
    }

    long rows() {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) Tenant.getEntityManager().createNativeQuery(
                "select count(*) from usage_record where usage_day >= :from and usage_day < :to")
                .setParameter("from", period.atDay(1)).setParameter("to", period.plusMonths(1).atDay(1))
                .getSingleResult()).longValue());
    }

    static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
