package io.alveolus.ingest;

import io.alveolus.common.events.Topics;
import io.alveolus.common.testing.EventProbe;
import io.alveolus.common.testing.TestImages;
import io.alveolus.common.testing.Tokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The transactional outbox (ADR 0004) against the real PostgreSQL and Kafka: the event is committed with its row,
 * relayed at once, re-published from the table if it is still pending (as after a crash between commit and
 * publish), and a retried upload writes no second event. The broker-outage case runs end to end in PipelineIT.
 */
@QuarkusTest
class OutboxTest {
    @Inject
    EntityManager em;

    static String upload(byte[] image, String study) {
        return given().auth().oauth2(Tokens.device("st-marys")).multiPart("file", "xray", image, "image/jpeg")
                .multiPart("studyId", study).multiPart("patientRef", "PSEUDO-7").multiPart("priority", "ROUTINE")
                .post("/api/images").then().statusCode(202).extract().path("analysisId");
    }

    @SuppressWarnings("unchecked")
    List<Object[]> outboxRows(String analysisId) {
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select id, topic, published_at from outbox_event where subject = :s order by id")
                .setParameter("s", analysisId).getResultList());
    }

    /** The relay marks the row in the transaction that claimed it, just after the broker's acknowledgement. */
    void awaitPublishedMark(String analysisId) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (outboxRows(analysisId).get(0)[2] == null && System.nanoTime() < end) {
            Thread.sleep(50);
        }
    }

    @Test
    void theEventIsCommittedWithItsRowAndRelayedOnce() throws InterruptedException {
        byte[] xray = TestImages.bytes(TestImages.files("NORMAL", 3).get(2));
        String study = "OBX-" + UUID.randomUUID().toString().substring(0, 8);
        try (var probe = new EventProbe(Topics.IMAGE_RECEIVED)) {
            String id = upload(xray, study);
            assertEquals(1, probe.await(r -> r.value().contains(id), Duration.ofSeconds(10)).size(),
                    "the relay published the event");
            // a retry of the same upload is answered from the row: no second outbox row, no second event
            given().auth().oauth2(Tokens.device("st-marys")).multiPart("file", "xray", xray, "image/jpeg")
                    .multiPart("studyId", study).multiPart("patientRef", "PSEUDO-7").post("/api/images")
                    .then().statusCode(200).body("duplicate", equalTo(true)).body("analysisId", equalTo(id));
            awaitPublishedMark(id);
            var rows = outboxRows(id);
            assertEquals(1, rows.size(), "one outbox row per accepted upload");
            assertEquals(Topics.IMAGE_RECEIVED, rows.get(0)[1]);
            assertNotNull(rows.get(0)[2], "marked published once the broker acknowledged it");
            assertEquals(1, probe.await(r -> r.value().contains(id), Duration.ofSeconds(3)).size(),
                    "the retry published nothing");
        }
    }

    @Test
    void anEventLeftPendingIsPublishedByTheNextPass() throws InterruptedException {
        byte[] xray = TestImages.bytes(TestImages.files("PNEUMONIA", 4).get(3));
        String study = "OBX-" + UUID.randomUUID().toString().substring(0, 8);
        try (var probe = new EventProbe(Topics.IMAGE_RECEIVED)) {
            String id = upload(xray, study);
            assertEquals(1, probe.await(r -> r.value().contains(id), Duration.ofSeconds(10)).size());
            // as if this instance had died between the commit and the publish: the row is pending again, and no
            // request wakes the relay; its periodic pass must find and publish it
            long outboxId = ((Number) outboxRows(id).get(0)[0]).longValue();
            QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                    "update outbox_event set published_at = null where id = :id").setParameter("id", outboxId)
                    .executeUpdate());
            var events = probe.await(r -> r.value().contains(id), 2, Duration.ofSeconds(15));
            assertEquals(2, events.size(), "the pending event was published again, once");
            awaitPublishedMark(id);
            assertNotNull(outboxRows(id).get(0)[2], "and marked published");
        }
    }
}
