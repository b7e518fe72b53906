package io.alveolus.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.alveolus.common.events.ImageReceived;
import io.alveolus.common.events.Priority;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.TestImages;
import io.alveolus.model.ModelBundle;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.TenantContext;
import io.alveolus.persistence.model.ModelVersion;
import io.alveolus.persistence.model.ShadowReading;
import io.alveolus.persistence.model.ShadowReadings;
import io.alveolus.worker.service.AnalysisProcessor;
import io.alveolus.worker.service.Lane;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry as the worker follows it, against the real database, object store and model (issue 16): a version
 * registered in the object store (a copy of v1 with another calibration) runs in shadow for one tenant — its
 * readings stored beside the active results, the other tenant untouched — and, once made that tenant's active
 * version in the database, reads its next batch with the same worker: no restart. Every row names the exact version
 * and its content hash.
 */
@QuarkusTest
class ShadowRolloutTest {
    static final TenantId ST_MARYS = new TenantId("st-marys");
    static final TenantId NORTHSIDE = new TenantId("northside");

    @Inject
    AnalysisProcessor processor;
    @Inject
    ObjectStore store;
    @Inject
    ShadowReadings shadows;

    /** Registers a copy of pneumonia-v1 with a steeper calibration, as an operator would (object store + row). */
    String registerCopyOfV1() throws Exception {
        ModelBundle v1 = ModelBundle.shipped("pneumonia-v1");
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(v1.manifestBytes());
        String id = "pneumonia-v1-shadow-" + UUID.randomUUID().toString().substring(0, 8);
        manifest.put("version", id);
        ObjectNode cal = (ObjectNode) manifest.get("calibration");
        cal.put("a", cal.get("a").asDouble() * 1.5);
        ModelBundle copy = ModelBundle.of(json.writeValueAsBytes(manifest), v1.params());
        String prefix = ObjectStore.modelKey(copy.contentSha256(), "manifest.json").replace("manifest.json", "");
        store.putModelObject(prefix + "manifest.json", copy.manifestBytes());
        store.putModelObject(prefix + copy.manifest().paramsFile(), copy.params());
        QuarkusTransaction.requiringNew().run(() -> {
            ModelVersion v = new ModelVersion();
            v.id = id;
            v.name = "pneumonia";
            v.contentSha256 = copy.contentSha256();
            v.source = ModelVersion.REGISTRY;
            v.objectPrefix = prefix;
            v.status = ModelVersion.CANDIDATE;
            v.manifest = new String(copy.manifestBytes(), java.nio.charset.StandardCharsets.UTF_8);
            v.registeredBy = "ShadowRolloutTest";
            v.registeredAt = Instant.now();
            v.persist();
        });
        return id;
    }

    static void assign(TenantId tenant, String active, String shadow) {
        QuarkusTransaction.requiringNew().run(() -> {
            Tenant t = Tenant.findById(tenant.value());
            t.activeModelVersion = active;
            t.shadowModelVersion = shadow;
        });
    }

    @AfterEach
    void restore() {
        assign(ST_MARYS, null, null);
    }

    ImageReceived stored(TenantId tenant, byte[] film, String study) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(film));
        String key = ObjectStore.imageKey(tenant, sha);
        store.put(tenant, key, film, "image/jpeg");
        return new ImageReceived(UUID.randomUUID(), tenant.value(), study, "PSEUDO-SH", null, Priority.ROUTINE, key,
                sha, "image/jpeg", film.length, Instant.now(), null, 40);
    }

    static Analysis row(TenantId tenant, UUID id) {
        return TenantContext.call(tenant, () -> QuarkusTransaction.requiringNew().call(() -> Analysis.findById(id)));
    }

    List<ShadowReading> shadowOf(TenantId tenant, UUID id) {
        return TenantContext.call(tenant, () -> QuarkusTransaction.requiringNew().call(() -> shadows.of(tenant, id)));
    }

    @Test
    void aShadowVersionReadsBesideTheActiveOneForItsTenantOnlyAndPromotionNeedsNoRestart() throws Exception {
        String copy = registerCopyOfV1();
        String copySha = QuarkusTransaction.requiringNew().call(() -> ModelVersion.<ModelVersion>findById(copy).contentSha256);
        String v3Sha = ModelBundle.shipped("pneumonia-v3").contentSha256();
        var films = TestImages.files("PNEUMONIA", 6);
        String tag = "SH-" + UUID.randomUUID().toString().substring(0, 8);
        assign(ST_MARYS, null, copy);

        ImageReceived mary1 = stored(ST_MARYS, TestImages.bytes(films.get(0)), tag + "-M1");
        ImageReceived mary2 = stored(ST_MARYS, TestImages.bytes(films.get(1)), tag + "-M2");
        ImageReceived north = stored(NORTHSIDE, TestImages.bytes(films.get(2)), tag + "-N");
        processor.processWithRetry(List.of(mary1, north, mary2), Lane.ROUTINE);

        for (ImageReceived e : List.of(mary1, mary2)) {
            Analysis a = row(ST_MARYS, e.analysisId());
            assertEquals("COMPLETED", a.status.name());
            assertEquals("pneumonia-v3", a.modelVersion, "the clinicians' result is the active (default) version's");
            assertEquals(v3Sha, a.modelSha256, "with its content hash");
            List<ShadowReading> s = shadowOf(ST_MARYS, e.analysisId());
            assertEquals(1, s.size(), "the shadow version read the same image in the same batch");
            assertEquals(copy, s.get(0).modelVersion());
            assertEquals(copySha, s.get(0).modelSha256());
            assertEquals("COMPLETED", s.get(0).status());
            assertNotNull(s.get(0).probability());
            assertNotEquals(a.probability, s.get(0).probability(), "another model, another probability");
        }
        Analysis n = row(NORTHSIDE, north.analysisId());
        assertEquals("pneumonia-v3", n.modelVersion);
        assertTrue(shadowOf(NORTHSIDE, north.analysisId()).isEmpty(), "the other tenant has no shadow");
        assertTrue(shadowOf(ST_MARYS, north.analysisId()).isEmpty());

        // promoted for St Mary's in the database: the same worker reads its next batch with it
        assign(ST_MARYS, copy, null);
        ImageReceived mary3 = stored(ST_MARYS, TestImages.bytes(films.get(3)), tag + "-M3");
        ImageReceived north2 = stored(NORTHSIDE, TestImages.bytes(films.get(4)), tag + "-N2");
        processor.processWithRetry(List.of(mary3, north2), Lane.ROUTINE);
        Analysis promoted = row(ST_MARYS, mary3.analysisId());
        assertEquals("COMPLETED", promoted.status.name());
        assertEquals(copy, promoted.modelVersion);
        assertEquals(copySha, promoted.modelSha256);
        assertNull(promoted.population, "v1's recipe has no populations");
        assertTrue(shadowOf(ST_MARYS, mary3.analysisId()).isEmpty(), "no shadow once it ended");
        assertEquals("pneumonia-v3", row(NORTHSIDE, north2.analysisId()).modelVersion, "the other tenant untouched");

        // rolled back: the default again
        assign(ST_MARYS, null, null);
        ImageReceived mary4 = stored(ST_MARYS, TestImages.bytes(films.get(5)), tag + "-M4");
        processor.processWithRetry(List.of(mary4), Lane.ROUTINE);
        assertEquals("pneumonia-v3", row(ST_MARYS, mary4.analysisId()).modelVersion);
    }
}
