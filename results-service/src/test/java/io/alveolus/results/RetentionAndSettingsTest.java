package io.alveolus.results;

import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.Tokens;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.AuditEvent;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.TenantContext;
import io.alveolus.results.retention.RetentionJob;
import io.alveolus.results.model.ShippedModel;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class RetentionAndSettingsTest {
    @Inject
    RetentionJob retention;
    @Inject
    ObjectStore store;
    @Inject
    ShippedModel model;

    @Test
    void retentionRemovesExactlyTheExpiredData() {
        TenantId tenant = new TenantId("ret-" + UUID.randomUUID().toString().substring(0, 8));
        QuarkusTransaction.requiringNew().run(() -> {
            Tenant t = new Tenant();
            t.id = tenant.value();
            t.name = "Retention test";
            t.retentionDays = 30;
            t.persist();
        });
        Instant now = Instant.now();
        Analysis old = TenancyMatrixTest.analysis(tenant, "alice");
        old.receivedAt = now.minus(Duration.ofDays(31));
        Analysis young = TenancyMatrixTest.analysis(tenant, "alice");
        young.receivedAt = now.minus(Duration.ofDays(29));
        Analysis oldSharingImage = TenancyMatrixTest.analysis(tenant, "alice");
        oldSharingImage.receivedAt = now.minus(Duration.ofDays(40));
        oldSharingImage.imageKey = young.imageKey; // same image sent for two studies
        for (Analysis a : new Analysis[]{old, young, oldSharingImage}) {
            store.put(tenant, a.imageKey, new byte[]{1}, "image/png");
            store.put(tenant, a.heatmapKey, new byte[]{2}, "image/png");
            TenantContext.run(tenant, () -> QuarkusTransaction.requiringNew().run(a::persist));
        }
        // st-marys data of the same age must not be touched (its retention is 10 years)
        Analysis otherTenant = TenancyMatrixTest.analysis(new TenantId("st-marys"), "alice");
        otherTenant.receivedAt = now.minus(Duration.ofDays(400));
        TenantContext.run(new TenantId("st-marys"), () -> QuarkusTransaction.requiringNew().run(otherTenant::persist));

        retention.run(now);

        assertNull(find(tenant, old.id));
        assertNull(find(tenant, oldSharingImage.id));
        assertNotNull(find(tenant, young.id));
        assertNotNull(find(new TenantId("st-marys"), otherTenant.id));
        assertFalse(store.exists(tenant, old.imageKey));
        assertFalse(store.exists(tenant, old.heatmapKey));
        assertFalse(store.exists(tenant, oldSharingImage.heatmapKey));
        assertTrue(store.exists(tenant, young.imageKey), "an image still used by a kept analysis stays");
        assertTrue(store.exists(tenant, young.heatmapKey));
        long audited = QuarkusTransaction.requiringNew().call(() -> AuditEvent.count(
                "tenant = ?1 and action = 'analysis.delete.retention'", tenant.value()));
        assertEquals(2, audited);
    }

    static Analysis find(TenantId tenant, UUID id) {
        return TenantContext.call(tenant, () -> QuarkusTransaction.requiringNew().call(() -> Analysis.findById(id)));
    }

    @Test
    void thresholdOverrideOnlyWithinTheValidatedRange() {
        String adam = Tokens.user("adam");
        double[] range = model.validatedThresholdRange();
        if (range == null) {
            given().auth().oauth2(adam).contentType("application/json").body("{\"thresholdOverride\":0.5}")
                    .put("/api/tenant/settings").then().statusCode(422);
            return;
        }
        given().auth().oauth2(adam).contentType("application/json").body("{\"thresholdOverride\":" + (range[1] + 0.01) + "}")
                .put("/api/tenant/settings").then().statusCode(422);
        given().auth().oauth2(adam).contentType("application/json").body("{\"thresholdOverride\":" + range[0] + "}")
                .put("/api/tenant/settings").then().statusCode(200).body("thresholdOverride", equalTo((float) range[0]));
        given().auth().oauth2(adam).contentType("application/json").body("{\"clearThresholdOverride\":true}")
                .put("/api/tenant/settings").then().statusCode(200).body("thresholdOverride", equalTo(null));
    }

    /** What the database holds for st-marys (the worker reads these columns, not the API's view). */
    static Double[] storedOverrides() {
        return QuarkusTransaction.requiringNew().call(() -> {
            Tenant t = Tenant.findById("st-marys");
            return new Double[]{t.thresholdOverride, t.thresholdOverridePaediatric, t.thresholdOverrideAdult};
        });
    }

    static io.restassured.response.ValidatableResponse put(String token, String body) {
        return given().auth().oauth2(token).contentType("application/json").body(body).put("/api/tenant/settings")
                .then();
    }

    @Test
    void eachPopulationHasItsOwnOverrideInsideItsOwnRange() {
        String adam = Tokens.user("adam");
        var kids = model.manifest().population("paediatric");
        var adults = model.manifest().population("adult");
        double[] kidsRange = kids.validatedThresholdRange();
        double[] adultRange = adults.validatedThresholdRange();
        assertEquals("adult", model.manifest().defaultPopulation());
        try {
            given().auth().oauth2(adam).get("/api/tenant/settings").then().statusCode(200)
                    .body("defaultPopulation", equalTo("adult"))
                    .body("populations.paediatric.modelThreshold", equalTo((float) kids.threshold()))
                    .body("populations.paediatric.minAgeYears", equalTo(kids.minAgeYears()))
                    .body("populations.adult.validatedThresholdRange[1]", equalTo((float) adultRange[1]))
                    .body("thresholdOverrides.keySet()", org.hamcrest.Matchers.contains("paediatric", "adult"));

            // inside each population's own range: both stored, each in its own column
            double kidsValue = kidsRange[0];
            double adultValue = adultRange[1];
            put(adam, "{\"thresholdOverrides\":{\"paediatric\":" + kidsValue + ",\"adult\":" + adultValue + "}}")
                    .statusCode(200)
                    .body("thresholdOverrides.paediatric", equalTo((float) kidsValue))
                    .body("thresholdOverrides.adult", equalTo((float) adultValue))
                    .body("thresholdOverride", equalTo((float) adultValue)); // the default population's
            Double[] stored = storedOverrides();
            assertEquals(kidsValue, stored[1]);
            assertEquals(adultValue, stored[2]);

            // a paediatric threshold is not an adult one: the ranges do not overlap at these values
            assertTrue(kidsValue > adultRange[1], "the test needs a paediatric value outside the adult range");
            put(adam, "{\"thresholdOverrides\":{\"adult\":" + kidsValue + "}}").statusCode(422)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:alveolus:problem:threshold-not-validated"))
                    .body("detail", org.hamcrest.Matchers.containsString("adult"));
            put(adam, "{\"thresholdOverrides\":{\"paediatric\":" + (kidsRange[1] + 0.001) + "}}").statusCode(422)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:alveolus:problem:threshold-not-validated"));
            put(adam, "{\"thresholdOverrides\":{\"paediatric\":" + (kidsRange[0] - 0.001) + "}}").statusCode(422);
            put(adam, "{\"thresholdOverrides\":{\"teenager\":0.5}}").statusCode(422)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:alveolus:problem:unknown-population"));
            put(adam, "{\"thresholdOverrides\":{\"Adult\":" + adultValue + "}}").statusCode(422)
                    .body("type", equalTo("urn:alveolus:problem:unknown-population"));
            // one bad entry refuses the whole change, retention included
            put(adam, "{\"retentionDays\":42,\"thresholdOverrides\":{\"paediatric\":" + kidsRange[1]
                    + ",\"adult\":2}}").statusCode(422);
            assertEquals(List.of(kidsValue, adultValue), List.of(storedOverrides()[1], storedOverrides()[2]));
            given().auth().oauth2(adam).get("/api/tenant/settings").then()
                    .body("retentionDays", org.hamcrest.Matchers.not(equalTo(42)));
            // the same override twice in one change is ambiguous
            put(adam, "{\"thresholdOverride\":" + adultValue + ",\"thresholdOverrides\":{\"adult\":"
                    + adultValue + "}}").statusCode(400);

            // the old single field is the default population's override; a null entry clears one population only
            put(adam, "{\"thresholdOverride\":" + adultRange[0] + "}").statusCode(200)
                    .body("thresholdOverrides.adult", equalTo((float) adultRange[0]));
            put(adam, "{\"thresholdOverrides\":{\"paediatric\":null}}").statusCode(200)
                    .body("thresholdOverrides.paediatric", equalTo(null))
                    .body("thresholdOverrides.adult", equalTo((float) adultRange[0]));
            stored = storedOverrides();
            assertNull(stored[1]);
            assertEquals(adultRange[0], stored[2]);
        } finally {
            put(adam, "{\"thresholdOverrides\":{\"paediatric\":null,\"adult\":null}}").statusCode(200);
        }
        Double[] stored = storedOverrides();
        assertNull(stored[1]);
        assertNull(stored[2]);
    }
}
