package io.alveolus.worker;

import io.alveolus.common.events.ImageReceived;
import io.alveolus.common.events.Priority;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.TestImages;
import io.alveolus.model.ModelManifest;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.TenantContext;
import io.alveolus.worker.service.AnalysisProcessor;
import io.alveolus.worker.service.Lane;
import io.alveolus.worker.service.ModelRunner;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tenant's per-population threshold override followed through the worker, against the real database, object
 * store and model: a study is read at the operating point of its patient's population (age from the event), the
 * tenant's override for that population applies to it and to no other population, and an age the model was not
 * validated for (or no age) gets the default population's operating point.
 */
@QuarkusTest
class OperatingPointTest {
    static final TenantId NORTHSIDE = new TenantId("northside");

    @Inject
    AnalysisProcessor processor;
    @Inject
    ObjectStore store;
    @Inject
    ModelRunner model;

    ImageReceived stored(byte[] film, String study, Integer ageYears) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(film));
        String key = ObjectStore.imageKey(NORTHSIDE, sha);
        store.put(NORTHSIDE, key, film, "image/jpeg");
        return new ImageReceived(UUID.randomUUID(), NORTHSIDE.value(), study, "PSEUDO-OP", null, Priority.ROUTINE, key,
                sha, "image/jpeg", film.length, Instant.now(), null, ageYears);
    }

    static Analysis row(UUID id) {
        return TenantContext.call(NORTHSIDE, () -> QuarkusTransaction.requiringNew().call(() -> Analysis.findById(id)));
    }

    static void setAdultOverride(Double value) {
        QuarkusTransaction.requiringNew().run(() -> {
            Tenant t = Tenant.findById(NORTHSIDE.value());
            t.setThresholdOverride("adult", value, io.alveolus.model.ModelManifest.DEFAULT_VERSION);
        });
    }

    @Test
    void theTenantsAdultOverrideAppliesToAdultsOnly() throws Exception {
        ModelManifest m = model.manifest();
        ModelManifest.Population adult = m.population("adult");
        ModelManifest.Population paediatric = m.population("paediatric");
        assertNotNull(adult, "the shipped model has populations");
        double[] range = adult.validatedThresholdRange();
        // inside the validated range and unlike the adult threshold, so the row shows which one applied
        double override = range[0] + (range[1] - range[0]) * 0.25;
        assertTrue(Math.abs(override - adult.threshold()) > 1e-6);

        var films = TestImages.files("NORMAL", 8);
        String tag = "OP-" + UUID.randomUUID().toString().substring(0, 8);
        ImageReceived adult40 = stored(TestImages.bytes(films.get(4)), tag + "-A", 40);
        ImageReceived child3 = stored(TestImages.bytes(films.get(5)), tag + "-P", 3);
        ImageReceived age12 = stored(TestImages.bytes(films.get(6)), tag + "-N", 12);
        ImageReceived unknown = stored(TestImages.bytes(films.get(7)), tag + "-U", null);
        setAdultOverride(override);
        try {
            processor.processWithRetry(List.of(adult40, child3, age12, unknown), Lane.ROUTINE);
        } finally {
            setAdultOverride(null);
        }
        Analysis a = row(adult40.analysisId());
        assertEquals("COMPLETED", a.status.name());
        assertEquals("adult", a.population);
        assertEquals(override, a.threshold, 1e-9, "the tenant's adult override applied to the adult");
        assertEquals(Boolean.TRUE, a.populationValidated);
        // the result keeps the activation grid (rendered in results-service on request), no stored PNG
        assertNotNull(a.camGrid);
        assertEquals(4 * a.camWidth * a.camHeight, a.camGrid.length);
        assertEquals(null, a.heatmapKey);
        Analysis p = row(child3.analysisId());
        assertEquals("paediatric", p.population);
        assertEquals(paediatric.threshold(), p.threshold, 1e-9, "the adult override does not touch children");
        assertEquals(Boolean.TRUE, p.populationValidated);
        String fallback = m.defaultPopulation();
        for (ImageReceived e : List.of(age12, unknown)) {
            Analysis r = row(e.analysisId());
            assertEquals(fallback, r.population, "ages not validated get the default population's operating point");
            assertEquals("adult".equals(fallback) ? override : paediatric.threshold(), r.threshold, 1e-9);
            assertEquals(Boolean.FALSE, r.populationValidated, "and are flagged as not validated for that age");
        }
    }
}
