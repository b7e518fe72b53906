package io.alveolus.results;

import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.Tokens;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.AuditEvent;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.TenantContext;
import io.alveolus.results.service.RetentionJob;
import io.alveolus.results.service.ShippedModel;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
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
}
