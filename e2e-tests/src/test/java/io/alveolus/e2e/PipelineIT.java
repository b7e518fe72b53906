package io.alveolus.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.alveolus.common.events.ImageReceived;
import io.alveolus.common.events.Priority;
import io.alveolus.common.events.Topics;
import io.alveolus.common.testing.EventProbe;
import io.alveolus.common.testing.TestDicom;
import io.alveolus.common.testing.TestImages;
import io.alveolus.common.testing.Tokens;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole pipeline as deployed: ingest, worker and results run as separate processes against the real stack.
 * The fault tests crash or cut what the worker depends on while it works, then check that every accepted image
 * ends analysed exactly once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineIT {
    static final int FAULT_IMAGES = 40;
    static ServiceProcess ingest;
    static ServiceProcess results;
    static ServiceProcess worker;

    static ServiceProcess newWorker() {
        return new ServiceProcess("inference-worker", 18282, "alveolus.worker.batch-size=4",
                "alveolus.worker.retry.initial-ms=100", "alveolus.worker.retry.max-ms=1000");
    }

    @BeforeAll
    static void startServices() throws Exception {
        ingest = new ServiceProcess("ingest-service", 18281).start();
        results = new ServiceProcess("results-service", 18283).start();
        worker = newWorker().start();
    }

    @AfterAll
    static void stopServices() throws Exception {
        ServiceProcess.closeAll(worker, ingest, results);
    }

    static String upload(String token, Path file, String study, String priority) {
        return given().auth().oauth2(token).multiPart("file", file.toFile(), "image/jpeg")
                .multiPart("studyId", study).multiPart("patientRef", "PSEUDO-" + study.hashCode())
                .multiPart("referringPhysician", "alice")
                .multiPart("priority", priority).post(ingest.url() + "/api/images")
                .then().statusCode(202).extract().path("analysisId");
    }

    static List<UUID> uploadMany(int n, String studyPrefix) {
        String device = Tokens.device("st-marys");
        List<Path> files = new ArrayList<>(TestImages.files("NORMAL", n / 2));
        files.addAll(TestImages.files("PNEUMONIA", n - n / 2));
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            ids.add(UUID.fromString(upload(device, files.get(i), studyPrefix + i, "ROUTINE")));
        }
        return ids;
    }

    static Map<String, Integer> awaitStatus(List<UUID> ids, Duration max, java.util.function.Predicate<Map<String, Integer>> done)
            throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        Map<String, Integer> counts = Stack.statusCounts(ids);
        while (!done.test(counts) && System.nanoTime() < end) {
            Thread.sleep(50);
            counts = Stack.statusCounts(ids);
        }
        return counts;
    }

    static int completed(Map<String, Integer> c) {
        return c.getOrDefault("COMPLETED", 0);
    }

    static void assertAllAnalysedOnce(List<UUID> ids, String studyPrefix) throws Exception {
        var counts = awaitStatus(ids, Duration.ofSeconds(180), c -> completed(c) == ids.size());
        assertEquals(Map.of("COMPLETED", ids.size()), counts, "every accepted image analysed");
        assertEquals(ids.size(), Stack.rowsForStudies(studyPrefix), "exactly one analysis per image");
    }

    /** Puts an event on the routine topic as ingest would, bypassing ingest (a bug or a damaged store upstream). */
    static void publishDirectly(ImageReceived event) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", EventProbe.BOOTSTRAP);
        var json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).writeValueAsString(event);
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.IMAGE_RECEIVED, event.partitionKey(), json)).get();
        }
    }

    static String reason(org.apache.kafka.clients.consumer.ConsumerRecord<String, String> deadLetter) {
        return new String(deadLetter.headers().lastHeader("alveolus-failure-reason").value(),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    @Order(1)
    void uploadedXraysAreAnalysedAndOnlyTheirTenantSeesThem() throws Exception {
        String study = "E2E-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        List<UUID> ids = new ArrayList<>();
        String device = Tokens.device("st-marys");
        ids.add(UUID.fromString(upload(device, TestImages.files("PNEUMONIA", 1).get(0), study + "P", "URGENT")));
        ids.add(UUID.fromString(upload(device, TestImages.files("NORMAL", 1).get(0), study + "N", "ROUTINE")));
        String alice = Tokens.user("alice");
        for (UUID id : ids) {
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            String status = "";
            while (!status.equals("COMPLETED") && System.nanoTime() < end) {
                status = given().auth().oauth2(alice).get(results.url() + "/api/analyses/" + id)
                        .then().statusCode(200).extract().path("status");
                Thread.sleep(200);
            }
            given().auth().oauth2(alice).get(results.url() + "/api/analyses/" + id).then().statusCode(200)
                    .body("status", equalTo("COMPLETED")).body("probability", notNullValue())
                    .body("positive", notNullValue()).body("modelVersion", notNullValue())
                    .body("heatmapAvailable", equalTo(true));
            byte[] png = given().auth().oauth2(alice).get(results.url() + "/api/analyses/" + id + "/heatmap")
                    .then().statusCode(200).contentType("image/png").extract().asByteArray();
            assertEquals(224, javax.imageio.ImageIO.read(new ByteArrayInputStream(png)).getWidth(),
                    "rendered by results-service from the stored activation grid");
            given().auth().oauth2(alice).get(results.url() + "/api/analyses/" + id + "/image").then().statusCode(200)
                    .body(notNullValue());
            // another hospital: indistinguishable from a missing analysis
            String bob = Tokens.user("bob");
            given().auth().oauth2(bob).get(results.url() + "/api/analyses/" + id).then().statusCode(404);
            given().auth().oauth2(bob).get(results.url() + "/api/analyses/" + id + "/heatmap").then().statusCode(404);
            given().auth().oauth2(bob).get(results.url() + "/api/analyses/" + id + "/image").then().statusCode(404);
            given().auth().oauth2(bob).get(results.url() + "/api/analyses/" + UUID.randomUUID()).then().statusCode(404);
        }
        // the worker drew and uploaded nothing: the original is the only object an analysis has (issue 14)
        MinioClient s3 = MinioClient.builder().endpoint("http://127.0.0.1:19000")
                .credentials("alveolus", "alveolus-dev-secret").build();
        for (UUID id : ids) {
            assertFalse(s3.listObjects(io.minio.ListObjectsArgs.builder().bucket("alveolus")
                    .prefix("tenants/st-marys/heatmaps/" + id).recursive(true).build()).iterator().hasNext());
        }
        given().auth().oauth2(alice).queryParam("studyId", study + "P").get(results.url() + "/api/analyses")
                .then().statusCode(200).body("total", equalTo(1));
        given().auth().oauth2(Tokens.user("bob")).queryParam("studyId", study + "P").get(results.url() + "/api/analyses")
                .then().statusCode(200).body("total", equalTo(0));
        given().auth().oauth2(alice).queryParam("triage", true).get(results.url() + "/api/analyses")
                .then().statusCode(200).body("total", greaterThan(0));
    }

    @Test
    @Order(2)
    void undecodableImageEndsFailedAndDeadLettered() throws Exception {
        // Bypasses ingest's validation, as a corrupted object or a bug upstream would.
        byte[] garbage = ("\u0089PNG\r\n\u001a\n" + UUID.randomUUID()).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        String sha = storeOriginal(garbage);
        String key = "tenants/st-marys/images/" + sha;
        UUID id = UUID.randomUUID();
        var event = new ImageReceived(id, "st-marys", "E2E-CORRUPT-" + id, "PSEUDO-X", null, Priority.ROUTINE, key, sha,
                "image/png", garbage.length, Instant.now(), null);
        try (var dlq = new EventProbe(Topics.IMAGE_RECEIVED_DLQ)) {
            publishDirectly(event);
            var counts = awaitStatus(List.of(id), Duration.ofSeconds(60), c -> c.containsKey("FAILED"));
            assertEquals(Map.of("FAILED", 1), counts);
            var dead = dlq.await(r -> r.value().contains(id.toString()), Duration.ofSeconds(20));
            assertEquals(1, dead.size(), "one dead letter");
            assertTrue(reason(dead.get(0)).contains("decoded"));
        }
    }

    @Test
    @Order(2)
    void missingOriginalEndsFailedAndDoesNotHoldUpItsPartition() throws Exception {
        // An event whose original was deleted (by hand, or a bug) must not block the studies behind it.
        String study = "E2E-MISSING-" + UUID.randomUUID().toString().substring(0, 8);
        UUID id = UUID.randomUUID();
        String sha = "0".repeat(63) + "1";
        var event = new ImageReceived(id, "st-marys", study, "PSEUDO-M", null, Priority.ROUTINE,
                "tenants/st-marys/images/" + sha, sha, "image/png", 100, Instant.now(), null);
        try (var dlq = new EventProbe(Topics.IMAGE_RECEIVED_DLQ)) {
            publishDirectly(event);
            // same study, so the same key and partition, queued behind the broken event
            UUID next = UUID.fromString(upload(Tokens.device("st-marys"), TestImages.files("NORMAL", 4).get(3),
                    study, "ROUTINE"));
            var counts = awaitStatus(List.of(id, next), Duration.ofSeconds(60),
                    c -> c.getOrDefault("FAILED", 0) == 1 && completed(c) == 1);
            assertEquals(Map.of("FAILED", 1, "COMPLETED", 1), counts);
            var dead = dlq.await(r -> r.value().contains(id.toString()), Duration.ofSeconds(20));
            assertEquals(1, dead.size(), "one dead letter");
            assertTrue(reason(dead.get(0)).contains("not in the object store"));
        }
    }

    /** Stores bytes under their hash in st-marys' prefix, as ingest would, for events published behind its back. */
    static String storeOriginal(byte[] image) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));
        String key = "tenants/st-marys/images/" + sha;
        MinioClient s3 = MinioClient.builder().endpoint("http://127.0.0.1:19000")
                .credentials("alveolus", "alveolus-dev-secret").build();
        s3.putObject(PutObjectArgs.builder().bucket("alveolus").object(key)
                .stream(new ByteArrayInputStream(image), image.length, -1).build());
        return sha;
    }

    /** A stored DICOM's image-received event, built from the file as ingest builds it, but never checked. */
    static ImageReceived dicomEvent(byte[] dicom, String study) throws Exception {
        String sha = storeOriginal(dicom);
        var m = io.alveolus.interop.DicomImage.decode(dicom).metadata();
        return new ImageReceived(UUID.randomUUID(), "st-marys", study, "PSEUDO-P", null, Priority.ROUTINE,
                "tenants/st-marys/images/" + sha, sha, "application/dicom", dicom.length, Instant.now(),
                new ImageReceived.DicomRef(m.studyInstanceUid(), m.seriesInstanceUid(), m.sopInstanceUid(),
                        m.viewPosition()));
    }

    @Test
    @Order(2)
    void poisonMessagesEndFailedWithinAMinuteAndTheLaneGoesOn() throws Exception {
        // Issue 12: a stored DICOM whose SOP Instance UID has 65 characters (the column is varchar(64)) failed its
        // batch forever and held the lane for every tenant; so did a ViewPosition over 16 characters and any
        // per-message fault the worker could not classify. Here all three sit on one partition (same study), with
        // a normal study uploaded right behind them.
        Path xray = TestImages.files("NORMAL", 6).get(5);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String study = "E2E-POISON-" + tag;
        String device = Tokens.device("st-marys");
        String takenUid = TestDicom.uid(40);
        byte[] first = TestDicom.radiograph(xray, takenUid, "PA", "PF-" + tag);
        UUID firstId = UUID.fromString(given().auth().oauth2(device).multiPart("file", "x.dcm", first,
                "application/dicom").post(ingest.url() + "/api/images").then().statusCode(202).extract()
                .path("analysisId"));
        assertEquals(Map.of("COMPLETED", 1), awaitStatus(List.of(firstId), Duration.ofSeconds(60),
                c -> completed(c) == 1), "a DICOM holding the SOP Instance UID the third event reuses");

        var longUid = dicomEvent(TestDicom.radiograph(xray, TestDicom.uid(65), "PA", "PU-" + tag), study);
        var longView = dicomEvent(TestDicom.radiograph(xray, TestDicom.uid(40), "POSTEROANTERIOR-X", "PV-" + tag),
                study);
        // unclassified: the first DICOM's instance again under another id and study, as a replay from anywhere but
        // ingest (which keys DICOM by the SOP Instance UID) would send it; its row can never be inserted
        var replay = dicomEvent(first, study);
        List<UUID> poison = List.of(longUid.analysisId(), longView.analysisId(), replay.analysisId());
        try (var dlq = new EventProbe(Topics.IMAGE_RECEIVED_DLQ)) {
            long t0 = System.currentTimeMillis();
            publishDirectly(longUid);
            publishDirectly(longView);
            publishDirectly(replay);
            UUID next = UUID.fromString(upload(device, TestImages.files("NORMAL", 5).get(4), study, "ROUTINE"));
            List<UUID> all = new ArrayList<>(poison);
            all.add(next);
            var counts = awaitStatus(all, Duration.ofSeconds(90),
                    c -> c.getOrDefault("FAILED", 0) == 3 && completed(c) == 1);
            for (UUID id : all) {
                System.out.printf("[poison] %s %s %.1f s after the first poison event was published%n", id,
                        id.equals(next) ? "normal study COMPLETED" : "FAILED",
                        (Stack.completedAtMillis(id) - t0) / 1000.0);
            }
            assertEquals(Map.of("FAILED", 3, "COMPLETED", 1), counts);
            for (UUID id : poison) {
                assertTrue(Stack.completedAtMillis(id) - t0 < 60_000, "FAILED within 60 s of its first failure");
            }
            var dead = dlq.await(r -> poison.stream().anyMatch(id -> r.value().contains(id.toString())),
                    Duration.ofSeconds(20));
            assertEquals(3, dead.size(), "one dead letter each");
            var reasons = dead.stream().map(PipelineIT::reason).toList();
            assertTrue(reasons.stream().anyMatch(r -> r.contains("SOP Instance UID is not a valid DICOM UID")), reasons.toString());
            assertTrue(reasons.stream().anyMatch(r -> r.contains("ViewPosition has 17 characters")), reasons.toString());
            assertTrue(reasons.stream().anyMatch(r -> r.startsWith("processing failed 3 times")), reasons.toString());
            String rachel = Tokens.user("rachel");
            given().auth().oauth2(rachel).get(results.url() + "/api/analyses/" + longUid.analysisId())
                    .then().statusCode(200).body("status", equalTo("FAILED"));
            given().auth().oauth2(rachel).get(results.url() + "/api/analyses/" + firstId)
                    .then().statusCode(200).body("status", equalTo("COMPLETED"));
            String metrics = given().get(worker.url() + "/q/metrics").then().statusCode(200).extract().asString();
            for (String series : List.of("alveolus_worker_dead_letters_total{lane=\"routine\",reason=\"invalid-fields\"}",
                    "alveolus_worker_dead_letters_total{lane=\"routine\",reason=\"unprocessable\"}",
                    "alveolus_worker_lane_last_progress_seconds{lane=\"routine\"}")) {
                assertTrue(metrics.contains(series), series);
            }
        }
    }

    @Test
    @Order(2)
    void anImageTheModelMayNotReadEndsNotApplicableEverywhere() throws Exception {
        // Issue 13: a non-radiograph (noise) gets no pneumonia probability: API, FHIR and completion event agree;
        // a PNG radiograph's FHIR report is served too (it answered 500 for every PNG/JPEG before, issue 12).
        java.awt.image.BufferedImage noise = new java.awt.image.BufferedImage(320, 320,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        java.util.Random r = new java.util.Random(7);
        for (int y = 0; y < 320; y++) {
            for (int x = 0; x < 320; x++) {
                noise.getRaster().setSample(x, y, 0, r.nextInt(256));
            }
        }
        Path png = java.nio.file.Files.createTempFile("noise", ".png");
        javax.imageio.ImageIO.write(noise, "png", png.toFile());
        String study = "E2E-NA-" + UUID.randomUUID().toString().substring(0, 8);
        String device = Tokens.device("st-marys");
        try (var completedEvents = new EventProbe(Topics.ANALYSIS_COMPLETED)) {
            UUID na = UUID.fromString(upload(device, png, study, "ROUTINE"));
            UUID film = UUID.fromString(upload(device, TestImages.files("PNEUMONIA", 7).get(6), study + "-F",
                    "ROUTINE"));
            var counts = awaitStatus(List.of(na, film), Duration.ofSeconds(60),
                    c -> c.getOrDefault("NOT_APPLICABLE", 0) == 1 && completed(c) == 1);
            assertEquals(Map.of("NOT_APPLICABLE", 1, "COMPLETED", 1), counts);
            String token = Tokens.user("rachel");
            given().auth().oauth2(token).get(results.url() + "/api/analyses/" + na).then().statusCode(200)
                    .body("status", equalTo("NOT_APPLICABLE")).body("probability", org.hamcrest.Matchers.nullValue())
                    .body("positive", org.hamcrest.Matchers.nullValue())
                    .body("notApplicableReason", notNullValue());
            String fhir = given().auth().oauth2(token).get(results.url() + "/api/analyses/" + na + "/fhir")
                    .then().statusCode(200).extract().asString();
            assertTrue(fhir.contains("Not applicable") && !fhir.contains("pneumonia-probability"), fhir);
            String filmFhir = given().auth().oauth2(token).get(results.url() + "/api/analyses/" + film + "/fhir")
                    .then().statusCode(200).extract().asString();
            assertTrue(filmFhir.contains("pneumonia-probability"), "a PNG/JPEG analysis has its FHIR report");
            given().auth().oauth2(token).get(results.url() + "/api/analyses/" + film).then().statusCode(200)
                    .body("population", equalTo("adult")); // no age given: the default (adult) operating point
            var events = completedEvents.await(e -> e.value().contains(na.toString()), Duration.ofSeconds(20));
            assertTrue(events.get(0).value().contains("\"status\":\"NOT_APPLICABLE\""), events.get(0).value());
            assertTrue(events.get(0).value().contains("\"probability\":null"), events.get(0).value());
        }
    }

    @Test
    @Order(3)
    void workerKilledMidBatchLosesNothingAndDuplicatesNothing() throws Exception {
        String prefix = "E2E-KILL-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        worker.close();
        List<UUID> ids = uploadMany(FAULT_IMAGES, prefix);
        worker = newWorker().start();
        var atKill = awaitStatus(ids, Duration.ofSeconds(120), c -> completed(c) >= 4);
        worker.kill();
        var afterKill = Stack.statusCounts(ids);
        assertTrue(completed(afterKill) < FAULT_IMAGES, "the kill must land while work remains: " + afterKill);
        assertTrue(completed(atKill) > 0, "the worker had started: " + atKill);
        worker = newWorker().start();
        assertAllAnalysedOnce(ids, prefix);
        // The worker re-announced what it had finished before the kill; the ledger still counts each study once.
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (Stack.ledgerRows(ids) < ids.size() && System.nanoTime() < end) {
            Thread.sleep(200);
        }
        assertEquals(ids.size(), Stack.ledgerRows(ids), "usage ledger == completed analyses");
        // The export is the ledger: compare while the ledger stands still (the meter may still be catching up on
        // events of earlier runs).
        for (int attempt = 0; ; attempt++) {
            long before = Stack.ledgerStudies("st-marys");
            long exported = given().auth().oauth2(Tokens.user("olga")).get(results.url() + "/api/admin/usage")
                    .then().statusCode(200).extract().jsonPath().getLong("totals.st-marys.studies");
            if (before == Stack.ledgerStudies("st-marys") || attempt == 20) {
                assertEquals(before, exported, "the export's total is the ledger's");
                break;
            }
            Thread.sleep(500);
        }
        String csv = given().auth().oauth2(Tokens.user("adam")).queryParam("format", "csv")
                .get(results.url() + "/api/tenant/usage").then().statusCode(200).contentType("text/csv")
                .extract().asString();
        assertTrue(csv.startsWith("tenant,day,studies,") && csv.contains("\nst-marys,") && !csv.contains("northside"),
                csv);
    }

    @Test
    @Order(7)
    void anotherTenantsUrgentStudyOvertakesAFlood() throws Exception {
        String prefix = "E2E-FLOOD-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        worker.close();
        List<UUID> flood = uploadMany(150, prefix);
        try (var urgentLane = new EventProbe(Topics.IMAGE_RECEIVED_URGENT)) {
            worker = newWorker().start();
            Stack.awaitGroupAssigned("alveolus-inference-urgent", Duration.ofSeconds(60));
            // one urgent study first, so the lane's one-time start-up (worker pool, first poll) is not measured
            String warmUp = upload(Tokens.device("northside"), TestImages.files("PNEUMONIA", 4).get(3),
                    "E2E-URGENT-" + UUID.randomUUID().toString().substring(0, 8), "URGENT");
            awaitStatus(List.of(UUID.fromString(warmUp)), Duration.ofSeconds(60), c -> completed(c) == 1);
            String urgent = upload(Tokens.device("northside"), TestImages.files("PNEUMONIA", 3).get(2),
                    "E2E-URGENT-" + UUID.randomUUID().toString().substring(0, 8), "URGENT");
            int waiting = flood.size() - completed(Stack.statusCounts(flood));
            var event = urgentLane.await(r -> r.value().contains(urgent), Duration.ofSeconds(10));
            assertEquals(1, event.size(), "an urgent study within the allowance travels in the urgent lane");
            awaitStatus(List.of(UUID.fromString(urgent)), Duration.ofSeconds(60), c -> completed(c) == 1);
            assertAllAnalysedOnce(flood, prefix);
            // Routine studies that finished between the urgent event reaching the broker and the urgent result: the
            // batch in the model and those that started before the worker polled the event, a fixed handful however
            // long the queue (4 of 142 with the urgent lane's 100 ms poll timeout; 28 to 48 of ~100 before it, when a
            // paused urgent consumer resumed only after a 1 s poll). Served in arrival order, the urgent study would
            // have waited for nearly all of the queue.
            long overtaken = Stack.completedBetween(flood, Instant.ofEpochMilli(event.get(0).timestamp()),
                    UUID.fromString(urgent));
            System.out.printf("urgent lane: %d of %d waiting routine studies finished ahead of the urgent one%n",
                    overtaken, waiting);
            assertTrue(waiting >= 60, "the flood was still queued when the urgent study came: " + waiting);
            assertTrue(overtaken <= waiting / 3, "routine studies that went ahead of the urgent one: " + overtaken
                    + " of " + waiting + " waiting");
        }
    }

    @Test
    @Order(8)
    void uploadLimitsHoldAcrossTwoIngestInstances() throws Exception {
        String operator = Tokens.user("olga");
        ServiceProcess second = new ServiceProcess("ingest-service", 18284).start();
        try {
            long second0 = Instant.now().getEpochSecond() % 60;
            if (second0 > 40) {
                Thread.sleep((61 - second0) * 1000); // one counting window for the whole burst
            }
            int used = Stack.uploadsThisMinute("northside");
            given().auth().oauth2(operator).contentType("application/json")
                    .body("{\"overrides\":{\"maxUploadsPerMinute\":" + (used + 10) + "}}")
                    .put(results.url() + "/api/admin/tenants/northside/subscription").then().statusCode(200);
            String device = Tokens.device("northside");
            List<Path> files = TestImages.files("NORMAL", 20);
            var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            List<java.util.concurrent.Future<Integer>> codes = new ArrayList<>();
            String prefix = "E2E-RATE-" + UUID.randomUUID().toString().substring(0, 8) + "-";
            for (int i = 0; i < files.size(); i++) {
                Path f = files.get(i);
                String url = (i % 2 == 0 ? ingest : second).url() + "/api/images";
                String study = prefix + i;
                codes.add(pool.submit(() -> given().auth().oauth2(device).multiPart("file", f.toFile(), "image/jpeg")
                        .multiPart("studyId", study).multiPart("patientRef", "PSEUDO-R").post(url).statusCode()));
            }
            Map<Integer, Integer> byStatus = new java.util.TreeMap<>();
            for (var c : codes) {
                byStatus.merge(c.get(), 1, Integer::sum);
            }
            pool.shutdown();
            assertEquals(Map.of(202, 10, 429, 10), byStatus, "exactly the plan's uploads per minute, across instances");
        } finally {
            second.close();
            given().auth().oauth2(operator).contentType("application/json").body("{\"plan\":\"standard\"}")
                    .put(results.url() + "/api/admin/tenants/northside/subscription").then().statusCode(200);
        }
    }

    @Test
    @Order(6)
    void aNewlyOnboardedTenantUploadsAndReadsItsOwnResultsOnly() throws Exception {
        String tenant = "t-" + UUID.randomUUID().toString().substring(0, 8);
        String created = given().auth().oauth2(Tokens.user("olga")).contentType("application/json")
                .body("{\"id\":\"" + tenant + "\",\"name\":\"E2E General\",\"retentionDays\":365}")
                .post(results.url() + "/api/admin/tenants").then().statusCode(201).extract().asString();
        var onboarded = io.restassured.path.json.JsonPath.from(created);
        String deviceToken = given().formParam("grant_type", "client_credentials")
                .formParam("client_id", onboarded.getString("deviceClientId"))
                .formParam("client_secret", onboarded.getString("deviceClientSecret"))
                .post(Tokens.REALM_URL + "/protocol/openid-connect/token").then().statusCode(200)
                .extract().path("access_token");
        String id = upload(deviceToken, TestImages.files("PNEUMONIA", 1).get(0), "NEW-" + tenant, "URGENT");

        // The hospital's administrator creates a radiologist in Keycloak (here through Keycloak's admin API).
        String admin = given().formParam("grant_type", "password").formParam("client_id", "admin-cli")
                .formParam("username", "admin").formParam("password", "admin")
                .post(Tokens.KEYCLOAK + "/realms/master/protocol/openid-connect/token").then().statusCode(200)
                .extract().path("access_token");
        String user = "rad-" + tenant;
        given().auth().oauth2(admin).contentType("application/json").body("{\"username\":\"" + user
                        + "\",\"enabled\":true,\"email\":\"" + user + "@e2e.example\",\"emailVerified\":true,"
                        + "\"firstName\":\"Rad\",\"lastName\":\"Iologist\",\"attributes\":{\"tenant\":[\"" + tenant + "\"]},"
                        + "\"credentials\":[{\"type\":\"password\",\"value\":\"" + Tokens.PASSWORD + "\",\"temporary\":false}]}")
                .post(Tokens.KEYCLOAK + "/admin/realms/alveolus/users").then().statusCode(201);
        String userId = given().auth().oauth2(admin).queryParam("username", user).queryParam("exact", true)
                .get(Tokens.KEYCLOAK + "/admin/realms/alveolus/users").then().statusCode(200).extract().path("[0].id");
        var role = given().auth().oauth2(admin).get(Tokens.KEYCLOAK + "/admin/realms/alveolus/roles/radiologist")
                .then().statusCode(200).extract().asString();
        given().auth().oauth2(admin).contentType("application/json").body("[" + role + "]")
                .post(Tokens.KEYCLOAK + "/admin/realms/alveolus/users/" + userId + "/role-mappings/realm")
                .then().statusCode(204);

        String radiologist = Tokens.user(user);
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String status = "";
        while (!status.equals("COMPLETED") && System.nanoTime() < end) {
            status = given().auth().oauth2(radiologist).get(results.url() + "/api/analyses/" + id)
                    .then().statusCode(200).extract().path("status");
            Thread.sleep(250);
        }
        assertEquals("COMPLETED", status);
        for (String other : List.of("rachel", "nora", "alice")) {
            given().auth().oauth2(Tokens.user(other)).get(results.url() + "/api/analyses/" + id).then().statusCode(404);
        }
        // and the new hospital sees nothing of St Mary's
        given().auth().oauth2(radiologist).queryParam("size", 200).get(results.url() + "/api/analyses").then()
                .statusCode(200).body("total", equalTo(1));
    }

    /** Uploads a backlog, lets the worker start on it, stops one stack service for a while, then checks the result. */
    void outageWhileTheWorkerRuns(String name, String service, long downMillis) throws Exception {
        String prefix = "E2E-" + name + "-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        worker.close();
        List<UUID> ids = uploadMany(FAULT_IMAGES, prefix);
        worker = newWorker().start();
        awaitStatus(ids, Duration.ofSeconds(120), c -> completed(c) >= 4);
        Stack.script("down.sh", service);
        Thread.sleep(downMillis);
        Stack.script("up.sh");
        assertAllAnalysedOnce(ids, prefix);
        assertTrue(worker.isAlive(), "the worker rode out the " + service + " outage");
    }

    @Test
    @Order(4)
    void databaseDownForAFewSecondsWhileTheWorkerRuns() throws Exception {
        outageWhileTheWorkerRuns("PG", "postgres", 5000);
        // a shared dependency down pauses the lane for everybody (nothing FAILED, see above): the worker said so
        assertTrue(pausedBatches() > 0, "the worker paused its lane while the database was down");
    }

    /** alveolus_worker_lane_paused_total of the running worker, summed over lanes. */
    static double pausedBatches() {
        String metrics = given().get(worker.url() + "/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("alveolus_worker_lane_paused_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    @Order(5)
    void brokerRestartedWhileTheWorkerRuns() throws Exception {
        outageWhileTheWorkerRuns("KAFKA", "kafka", 2000);
    }

    /**
     * The broker is down while a hospital uploads: ingest still answers 202 (the row and its event are committed
     * together in the outbox), nothing is lost, and once the broker is back the relay publishes every event and
     * each image is analysed exactly once.
     */
    @Test
    @Order(9)
    void uploadsWhileTheBrokerIsDownAreKeptAndAnalysedOnceItIsBack() throws Exception {
        String prefix = "E2E-OUTBOX-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        List<UUID> ids;
        Stack.script("down.sh", "kafka");
        try {
            ids = uploadMany(12, prefix);
            assertEquals(ids.size(), Stack.pendingEvents(ids), "every accepted upload's event waits in the outbox");
        } finally {
            Stack.script("up.sh");
        }
        assertAllAnalysedOnce(ids, prefix);
        assertEquals(0, Stack.pendingEvents(ids), "the relay published them all");
    }

    /**
     * The object store is down for 10 s in the middle of a 200-image load sent by four devices at once: while it is
     * down ingest answers 503 (never 500, never 202 for an image it could not store), the devices retry, and in the
     * end every accepted image is analysed exactly once.
     */
    @Test
    @Order(10)
    void objectStoreDownForTenSecondsDuringA200ImageLoad() throws Exception {
        String prefix = "E2E-S3-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        List<Path> files = new ArrayList<>(TestImages.files("NORMAL", 100));
        files.addAll(TestImages.files("PNEUMONIA", 100));
        String device = Tokens.device("st-marys");
        var accepted = new java.util.concurrent.ConcurrentLinkedQueue<UUID>();
        var statuses = new java.util.concurrent.ConcurrentHashMap<Integer, java.util.concurrent.atomic.AtomicInteger>();
        var next = new java.util.concurrent.atomic.AtomicInteger();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        var devices = new ArrayList<java.util.concurrent.Future<?>>();
        for (int t = 0; t < 4; t++) {
            devices.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < files.size(); i = next.getAndIncrement()) {
                    long giveUp = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                    while (true) {
                        var r = given().auth().oauth2(device).multiPart("file", files.get(i).toFile(), "image/jpeg")
                                .multiPart("studyId", prefix + i).multiPart("patientRef", "PSEUDO-S3-" + i)
                                .post(ingest.url() + "/api/images");
                        statuses.computeIfAbsent(r.statusCode(), k -> new java.util.concurrent.atomic.AtomicInteger())
                                .incrementAndGet();
                        if (r.statusCode() == 202 || r.statusCode() == 200) {
                            accepted.add(UUID.fromString(r.path("analysisId")));
                            break;
                        }
                        assertEquals(503, r.statusCode(), "only 503 while the store is down: " + r.asString());
                        assertEquals("application/problem+json", r.contentType().split(";")[0]);
                        assertTrue(System.nanoTime() < giveUp, "the device gave up retrying");
                        Thread.sleep(250);
                    }
                }
                return null;
            }));
        }
        while (accepted.size() < 40) {
            Thread.sleep(20);
        }
        Stack.script("down.sh", "s3proxy");
        Thread.sleep(10_000);
        Stack.script("up.sh");
        for (var d : devices) {
            d.get(3, java.util.concurrent.TimeUnit.MINUTES);
        }
        pool.shutdown();
        System.out.printf("object store outage: upload answers %s%n", statuses);
        assertTrue(statuses.getOrDefault(503, new java.util.concurrent.atomic.AtomicInteger()).get() > 0,
                "uploads met the outage");
        var ids = new ArrayList<>(new java.util.LinkedHashSet<>(accepted));
        assertEquals(files.size(), ids.size(), "every image accepted once");
        assertAllAnalysedOnce(ids, prefix);
        assertTrue(worker.isAlive(), "the worker rode out the object store outage");
    }
}
