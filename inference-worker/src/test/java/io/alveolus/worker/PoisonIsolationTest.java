package io.alveolus.worker;

import io.alveolus.common.events.ImageReceived;
import io.alveolus.common.events.Priority;
import io.alveolus.common.events.Topics;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.EventProbe;
import io.alveolus.common.testing.TestDicom;
import io.alveolus.common.testing.TestImages;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.TenantContext;
import io.alveolus.worker.service.AnalysisProcessor;
import io.alveolus.worker.service.Lane;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Poison messages in one batch with good ones, against the real database, object store and broker: the poison
 * ends FAILED and dead-lettered within a minute, the good messages of the same batch complete. Before issue 12's
 * fix this batch was retried forever (the call below never returned).
 */
@QuarkusTest
class PoisonIsolationTest {
    static final TenantId ST_MARYS = new TenantId("st-marys");

    @Inject
    AnalysisProcessor processor;
    @Inject
    ObjectStore store;
    @Inject
    MeterRegistry metrics;

    ImageReceived stored(byte[] film, String study, ImageReceived.DicomRef dicom) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(film));
        String key = ObjectStore.imageKey(ST_MARYS, sha);
        store.put(ST_MARYS, key, film, "image/jpeg");
        return new ImageReceived(UUID.randomUUID(), ST_MARYS.value(), study, "PSEUDO-W", null, Priority.ROUTINE, key,
                sha, "image/jpeg", film.length, Instant.now(), dicom);
    }

    static Analysis row(UUID id) {
        return TenantContext.call(ST_MARYS, () -> QuarkusTransaction.requiringNew().call(() -> Analysis.findById(id)));
    }

    double deadLetters(String reason) {
        var c = metrics.find("alveolus.worker.dead-letters").tags("reason", reason, "lane", "routine").counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void poisonEndsFailedAndDeadLetteredWhileTheRestOfItsBatchCompletes() throws Exception {
        var films = TestImages.files("PNEUMONIA", 12);
        String tag = "W-" + UUID.randomUUID().toString().substring(0, 8);
        String takenUid = TestDicom.uid(40);
        // an analysis that holds a SOP Instance UID, done first
        ImageReceived first = stored(TestImages.bytes(films.get(9)), tag + "-A",
                new ImageReceived.DicomRef(null, null, takenUid, "PA"));
        processor.processWithRetry(List.of(first), Lane.ROUTINE);
        assertEquals("COMPLETED", row(first.analysisId()).status.name());

        ImageReceived good1 = stored(TestImages.bytes(films.get(10)), tag + "-G1", null);
        // a field the database refuses: a 65-character SOP Instance UID (varchar(64)), fails at once
        ImageReceived longUid = stored(TestImages.bytes(films.get(11)), tag + "-U",
                new ImageReceived.DicomRef("1.2.3", "1.2.3.4", TestDicom.uid(65), "PA"));
        // a fault nobody classified: the same SOP instance again under another id and study; its row cannot be
        // inserted (analysis_sop_once), so every attempt fails until the worker gives up on it
        ImageReceived conflict = new ImageReceived(UUID.randomUUID(), ST_MARYS.value(), tag + "-C", "PSEUDO-W", null,
                Priority.ROUTINE, first.imageKey(), first.sha256(), "image/jpeg", first.sizeBytes(), Instant.now(),
                new ImageReceived.DicomRef(null, null, takenUid, "PA"));
        ImageReceived good2 = stored(TestImages.bytes(films.get(9)), tag + "-G2", null);
        double invalidBefore = deadLetters("invalid-fields");
        double unprocessableBefore = deadLetters("unprocessable");

        try (var dlq = new EventProbe(Topics.IMAGE_RECEIVED_DLQ)) {
            long t0 = System.nanoTime();
            assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> processor.processWithRetry(List.of(good1, longUid, conflict, good2), Lane.ROUTINE),
                    "a poison message held its batch");
            System.out.printf("[poison] batch of 4 with 2 poison messages done in %.1f s%n", (System.nanoTime() - t0) / 1e9);

            assertEquals("COMPLETED", row(good1.analysisId()).status.name());
            assertEquals("COMPLETED", row(good2.analysisId()).status.name());
            Analysis u = row(longUid.analysisId());
            assertEquals("FAILED", u.status.name());
            assertTrue(u.failureReason.contains("SOP Instance UID is not a valid DICOM UID"), u.failureReason);
            assertNull(u.sopInstanceUid, "the failure row leaves out the value its column cannot hold");
            Analysis c = row(conflict.analysisId());
            assertEquals("FAILED", c.status.name());
            assertTrue(c.failureReason.startsWith("processing failed 3 times: "), c.failureReason);
            assertTrue(!c.failureReason.matches("(?s).*(Exception|Error\\b|java\\.).*"),
                    "a reason users read names no class: " + c.failureReason);
            assertEquals("COMPLETED", row(first.analysisId()).status.name(), "the analysis it collided with is untouched");

            var dead = dlq.await(r -> r.value().contains(longUid.analysisId().toString())
                    || r.value().contains(conflict.analysisId().toString()), Duration.ofSeconds(10));
            assertEquals(2, dead.size(), "one dead letter each");
            assertEquals(invalidBefore + 1, deadLetters("invalid-fields"));
            assertEquals(unprocessableBefore + 1, deadLetters("unprocessable"));
            var progress = metrics.find("alveolus.worker.lane.last.progress.seconds").tag("lane", "routine").gauge();
            assertTrue(progress.value() >= Instant.now().getEpochSecond() - 5, "the lane's progress is recent");
        }
    }
}
