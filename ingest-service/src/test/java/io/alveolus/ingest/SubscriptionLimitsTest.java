package io.alveolus.ingest;

import io.alveolus.common.events.Topics;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.EventProbe;
import io.alveolus.common.testing.TestImages;
import io.alveolus.common.testing.Tokens;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.Tenant;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Subscription enforcement at ingest, with real tokens; counts are kept in PostgreSQL. */
@QuarkusTest
class SubscriptionLimitsTest {
    static final String TENANT = "northside";
    byte[] xray;
    String device;

    @BeforeEach
    void setUp() {
        xray = TestImages.bytes(TestImages.files("NORMAL", 2).get(1));
        device = Tokens.device(TENANT);
    }

    @AfterEach
    void restore() {
        change(t -> {
            t.status = "ACTIVE";
            t.validUntil = null;
            t.validFrom = null;
            t.urgentPerMinute = 60;
            t.maxUploadsPerMinute = 600;
            t.monthlyAllowance = 100000;
            t.overagePolicy = "ACCEPT";
        });
    }

    static void change(Consumer<Tenant> c) {
        QuarkusTransaction.requiringNew().run(() -> c.accept(Tenant.findById(TENANT)));
    }

    io.restassured.response.ValidatableResponse upload() {
        return ImageUploadTest.upload(device, xray, "image/jpeg", "SUB-" + UUID.randomUUID().toString().substring(0, 8))
                .post("/api/images").then();
    }

    @Test
    void suspendedIs403AndExpiredIs402() {
        change(t -> t.status = "SUSPENDED");
        upload().statusCode(403).contentType("application/problem+json");
        change(t -> {
            t.status = "ACTIVE";
            t.validUntil = Instant.now().minus(Duration.ofDays(1));
        });
        upload().statusCode(402).contentType("application/problem+json").body("status", equalTo(402));
        change(t -> t.validUntil = Instant.now().plus(Duration.ofDays(30)));
        upload().statusCode(202);
    }

    @Test
    void notYetValidIs403() {
        change(t -> t.validFrom = Instant.now().plus(Duration.ofDays(3)));
        upload().statusCode(403).contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("starts"));
    }

    @Test
    void urgentStudiesUseTheUrgentLaneOnlyWithinThePlansAllowance() {
        try (var urgentLane = new EventProbe(Topics.IMAGE_RECEIVED_URGENT);
             var routineLane = new EventProbe(Topics.IMAGE_RECEIVED)) {
            String first = upload().statusCode(202).extract().path("analysisId");
            assertEquals(1, urgentLane.await(r -> r.value().contains(first), Duration.ofSeconds(10)).size());
            change(t -> t.urgentPerMinute = 0);
            String second = upload().statusCode(202).extract().path("analysisId");
            assertEquals(1, routineLane.await(r -> r.value().contains(second), Duration.ofSeconds(10)).size(),
                    "beyond the allowance an urgent study is still analysed, in the routine lane");
            assertTrue(urgentLane.await(r -> r.value().contains(second), Duration.ofSeconds(1)).isEmpty());
        }
    }

    @Test
    void overTheRateLimitIs429WithRetryAfter() throws Exception {
        long second = Instant.now().getEpochSecond() % 60;
        if (second > 45) {
            Thread.sleep((61 - second) * 1000); // stay inside one counting window
        }
        int used = QuarkusTransaction.requiringNew().call(() -> ((Number) Tenant.getEntityManager().createNativeQuery(
                "select coalesce(max(uploads), 0) from upload_rate where tenant = :t and window_start = date_trunc('minute', now())")
                .setParameter("t", TENANT).getSingleResult()).intValue());
        change(t -> t.maxUploadsPerMinute = used + 2);
        upload().statusCode(202);
        upload().statusCode(202);
        String retry = upload().statusCode(429).contentType("application/problem+json").extract().header("Retry-After");
        int seconds = Integer.parseInt(retry);
        assertTrue(seconds >= 1 && seconds <= 60, retry);
        // operators see refusals per tenant
        io.restassured.RestAssured.given().get("/q/metrics").then().statusCode(200).body(org.hamcrest.Matchers
                .containsString("alveolus_ingest_uploads_total{outcome=\"rate_limited\",tenant=\"northside\"}"));
    }

    @Test
    void overTheMonthlyAllowanceThePlanDecides() {
        change(t -> {
            t.monthlyAllowance = 0;
            t.overagePolicy = "REJECT";
        });
        upload().statusCode(402).body("detail", org.hamcrest.Matchers.containsString("allowance"));
        change(t -> t.overagePolicy = "ACCEPT");
        String id = upload().statusCode(202).extract().path("analysisId");
        boolean overage = QuarkusTransaction.requiringNew().call(() -> (Boolean) Analysis.getEntityManager()
                .createNativeQuery("select overage from analysis where id = :id").setParameter("id", UUID.fromString(id))
                .getSingleResult());
        assertTrue(overage, "accepted over the allowance and marked as overage");
    }
}
