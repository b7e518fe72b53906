package io.alveolus.worker;

import io.alveolus.common.events.ImageReceived;
import io.alveolus.common.events.Priority;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.TestImages;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.TenantContext;
import io.alveolus.worker.service.AnalysisProcessor;
import io.alveolus.worker.service.Lane;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The raw grey statistics the worker stores with each result (V23, drift monitoring), against the real database,
 * object store and model: the same radiograph at half its grey levels (darker, less contrast) gets a lower raw mean
 * and spread, while the model, reading through its percentile window, gives nearly the same probability.
 */
@QuarkusTest
class RawImageStatisticsTest {
    static final TenantId ST_MARYS = new TenantId("st-marys");

    @Inject
    AnalysisProcessor processor;
    @Inject
    ObjectStore store;

    ImageReceived stored(byte[] film, String study, String type) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(film));
        String key = ObjectStore.imageKey(ST_MARYS, sha);
        store.put(ST_MARYS, key, film, type);
        return new ImageReceived(UUID.randomUUID(), ST_MARYS.value(), study, "PSEUDO-RAW", null, Priority.ROUTINE, key,
                sha, type, film.length, Instant.now(), null, 40);
    }

    /** The film's grey levels scaled by {@code factor}, as an 8-bit grey PNG (lossless, so only the scale differs). */
    static byte[] scaled(byte[] jpeg, double factor) throws Exception {
        BufferedImage in = ImageIO.read(new ByteArrayInputStream(jpeg));
        BufferedImage out = new BufferedImage(in.getWidth(), in.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        var raster = out.getRaster();
        for (int y = 0; y < in.getHeight(); y++) {
            for (int x = 0; x < in.getWidth(); x++) {
                int rgb = in.getRGB(x, y);
                int g = (int) Math.round(((rgb >> 8) & 0xff) * factor);
                raster.setSample(x, y, 0, Math.min(255, g));
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(out, "png", png);
        return png.toByteArray();
    }

    static Analysis row(UUID id) {
        return TenantContext.call(ST_MARYS, () -> QuarkusTransaction.requiringNew().call(() -> Analysis.findById(id)));
    }

    @Test
    void aDarkerImageGetsALowerRawMeanStoredWithItsResult() throws Exception {
        byte[] film = TestImages.bytes(TestImages.files("NORMAL", 1).get(0));
        String tag = "RAW-" + UUID.randomUUID().toString().substring(0, 8);
        ImageReceived original = stored(scaled(film, 1.0), tag + "-O", "image/png");
        ImageReceived darker = stored(scaled(film, 0.5), tag + "-D", "image/png");
        processor.processWithRetry(List.of(original, darker), Lane.ROUTINE);

        Analysis o = row(original.analysisId());
        Analysis d = row(darker.analysisId());
        for (Analysis a : List.of(o, d)) {
            assertEquals("COMPLETED", a.status.name());
            assertNotNull(a.rawMean, "stored in the same commit as the result");
            assertNotNull(a.rawStd);
            assertTrue(a.rawP01 <= a.rawMean && a.rawMean <= a.rawP99, "p1 <= mean <= p99: " + a.rawP01 + " "
                    + a.rawMean + " " + a.rawP99);
            assertTrue(a.rawStd > 0.02, "a radiograph has contrast: " + a.rawStd);
        }
        assertTrue(d.rawMean < o.rawMean - 0.1, "darker: " + d.rawMean + " vs " + o.rawMean);
        assertEquals(o.rawMean / 2, d.rawMean, 0.01, "half the grey levels, half the mean (0..1 of 8 bits)");
        assertEquals(o.rawStd / 2, d.rawStd, 0.01, "and half the spread");
        assertEquals(o.rawP99 / 2, d.rawP99, 0.01);
        // the statistics are of the raw pixels: the model itself reads through its window and barely moves
        assertEquals(o.probability, d.probability, 0.1, "windowing makes the reading exposure-independent");
    }
}
