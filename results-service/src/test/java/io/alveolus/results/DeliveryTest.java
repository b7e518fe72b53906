package io.alveolus.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import io.alveolus.common.events.AnalysisCompleted;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.Tokens;
import io.alveolus.interop.report.Part10;
import io.alveolus.interop.report.ResultUids;
import io.alveolus.interop.report.SourceStudy;
import io.alveolus.interop.report.StudyReport;
import io.alveolus.interop.report.StudyResult;
import io.alveolus.results.delivery.DicomResults;
import io.alveolus.model.Heatmaps;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.AnalysisStatus;
import io.alveolus.persistence.TenantContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * AI results back to the hospital's PACS, against the real thing: a completion event on Kafka, the original DICOM in
 * the S3 server, PostgreSQL's outbox, and Orthanc (stack/up.sh) as St Mary's PACS by STOW-RS, read back through its
 * REST API. The DICOM source is made with dcmtk's img2dcm from a shared radiograph.
 */
@QuarkusTest
class DeliveryTest {
    static final String ORTHANC = "http://127.0.0.1:18042";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final TenantId ST_MARYS = new TenantId("st-marys");
    static final TenantId NORTHSIDE = new TenantId("northside");

    @Inject
    ObjectStore store;

    /** A DICOM radiograph with its own patient, study and instance UIDs (so the PACS sees a new study). */
    record Source(byte[] bytes, String patientId, String studyUid, String seriesUid, String sopUid) {
    }

    static Source source() throws Exception {
        return source(null, "PA");
    }

    /** Another image of {@code study}'s patient and study (a new series and instance), or a new study if null. */
    static Source source(Source study, String view) throws Exception {
        Path dir = Files.createTempDirectory("delivery");
        // the shared JPEGs are stored as YCbCr: a one-channel JPEG gives a MONOCHROME2 DICOM, as a CR/DX is
        var colour = javax.imageio.ImageIO.read(io.alveolus.common.testing.TestImages.files("NORMAL", 1).get(0).toFile());
        var grey = new java.awt.image.BufferedImage(colour.getWidth(), colour.getHeight(),
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        grey.getGraphics().drawImage(colour, 0, 0, null);
        Path jpeg = dir.resolve("grey.jpg");
        javax.imageio.ImageIO.write(grey, "jpeg", jpeg.toFile());
        String n = String.valueOf(Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000L));
        var src = new Source(null, study != null ? study.patientId() : "DLV-" + n,
                study != null ? study.studyUid() : "1.2.826.0.1.3680043.10.999." + n + ".1",
                "1.2.826.0.1.3680043.10.999." + n + ".2", "1.2.826.0.1.3680043.10.999." + n + ".3");
        Path out = dir.resolve("src.dcm");
        Process p = new ProcessBuilder("img2dcm", jpeg.toString(), out.toString(),
                "-k", "PatientID=" + src.patientId(), "-k", "PatientName=Delivery^Test", "-k", "Modality=DX",
                "-k", "StudyInstanceUID=" + src.studyUid(), "-k", "SeriesInstanceUID=" + src.seriesUid(),
                "-k", "SOPInstanceUID=" + src.sopUid(), "-k", "AccessionNumber=ACC-" + n, "-k", "ViewPosition=" + view)
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("img2dcm (dcmtk, installed by stack/install-interop-deps.sh) failed: " + log);
        }
        return new Source(Files.readAllBytes(out), src.patientId(), src.studyUid(), src.seriesUid(), src.sopUid());
    }

    Analysis analysis(TenantId tenant, Source s, AnalysisStatus status) {
        Analysis a = TenancyMatrixTest.analysis(tenant, "alice");
        a.heatmapKey = null;
        a.contentType = "application/dicom";
        a.imageKey = ObjectStore.imageKey(tenant, UUID.randomUUID().toString().replace("-", ""));
        a.studyInstanceUid = s.studyUid();
        a.sopInstanceUid = s.sopUid();
        a.modelVersion = "pneumonia-v3";
        a.status = status;
        if (status == AnalysisStatus.COMPLETED) {
            a.camGrid = Heatmaps.encode(HeatmapRenderingTest.GRID);
            a.camWidth = 3;
            a.camHeight = 3;
            a.probability = 0.83;
            a.threshold = 0.42;
            a.positive = true;
        } else {
            a.probability = null;
            a.positive = null;
            a.threshold = null;
            a.notApplicableReason = "not a frontal chest radiograph (ViewPosition LL)";
        }
        store.put(tenant, a.imageKey, s.bytes(), "application/dicom");
        TenantContext.run(tenant, () -> QuarkusTransaction.requiringNew().run(a::persist));
        return a;
    }

    static AnalysisCompleted completed(Analysis a) {
        return new AnalysisCompleted(a.id, a.tenant, a.studyId, a.status.name(), a.probability, a.positive,
                a.modelVersion, null, a.completedAt, a.receivedAt, 40, 1000, null, false, a.notApplicableReason, null);
    }

    /** Orthanc's ids of the instances with this SOP Instance UID. */
    static List<String> orthancInstances(String sopUid) throws Exception {
        var r = HTTP.send(HttpRequest.newBuilder(URI.create(ORTHANC + "/tools/find")).POST(HttpRequest.BodyPublishers
                        .ofString("{\"Level\":\"Instance\",\"Query\":{\"SOPInstanceUID\":\"" + sopUid + "\"}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), "Orthanc (stack/up.sh) answers its REST API: " + r.body());
        return JSON.readValue(r.body(), JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    }

    static AttributeList await(String sopUid) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            List<String> ids;
            try {
                ids = orthancInstances(sopUid);
            } catch (java.io.IOException restarted) {
                Thread.sleep(300); // a pooled connection to the PACS from before it was restarted
                continue;
            }
            if (!ids.isEmpty()) {
                assertEquals(1, ids.size(), "one instance per SOP Instance UID");
                var file = HTTP.send(HttpRequest.newBuilder(URI.create(ORTHANC + "/instances/" + ids.get(0) + "/file"))
                        .build(), HttpResponse.BodyHandlers.ofByteArray());
                return Part10.read(file.body());
            }
            Thread.sleep(300);
        }
        fail("no instance " + sopUid + " reached Orthanc within 60 s");
        return null;
    }

    static String text(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
        return com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(list, tag);
    }

    @Test
    void aCompletedDicomAnalysisReachesThePacsAsSrAndScInTheSourceStudy() throws Exception {
        Source s = source();
        Analysis a = analysis(ST_MARYS, s, AnalysisStatus.COMPLETED);
        UsageLedgerTest.send(List.of(completed(a), completed(a))); // announced twice: delivered once
        ResultUids uids = ResultUids.of(a.id.toString(), "pneumonia-v3");

        AttributeList sr = await(uids.srInstance());
        assertEquals(s.patientId(), text(sr, TagFromName.PatientID), "filed under the source's patient");
        assertEquals(s.studyUid(), text(sr, TagFromName.StudyInstanceUID), "and in the source's study");
        assertEquals("1.2.840.10008.5.1.4.1.1.88.34", text(sr, TagFromName.SOPClassUID));
        assertEquals("UNVERIFIED", text(sr, TagFromName.VerificationFlag));
        String content = sr.toString();
        assertTrue(content.contains("233604007"), "the finding is coded SCT 233604007 Pneumonia");
        assertTrue(content.contains("0.83"), "the probability is in the report");
        assertTrue(content.contains("pneumonia-v3"), "and the algorithm version");
        assertTrue(content.contains(s.sopUid()), "the report references the source image");

        AttributeList sc = await(uids.scInstance());
        assertEquals(s.studyUid(), text(sc, TagFromName.StudyInstanceUID));
        assertEquals("1.2.840.10008.5.1.4.1.1.7", text(sc, TagFromName.SOPClassUID));
        assertEquals("YES", text(sc, TagFromName.BurnedInAnnotation));
        assertEquals("RGB", text(sc, TagFromName.PhotometricInterpretation));

        // the tenant admin sees both delivered; the other tenant's users see none of it
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonNode rows;
        do {
            rows = JSON.readTree(given().auth().oauth2(Tokens.user("adam")).queryParam("analysisId", a.id.toString())
                    .get("/api/deliveries").then().statusCode(200).extract().asString());
            Thread.sleep(200);
        } while (!(rows.size() == 2 && rows.findValuesAsText("state").stream().allMatch("DELIVERED"::equals))
                && System.nanoTime() < end);
        given().auth().oauth2(Tokens.user("adam")).queryParam("analysisId", a.id.toString()).get("/api/deliveries")
                .then().statusCode(200).body("size()", equalTo(2)).body("state", everyItem(equalTo("DELIVERED")))
                .body("kind", hasItem("SR")).body("kind", hasItem("SC"))
                .body("destination", everyItem(equalTo("st-marys-pacs")));
        given().auth().oauth2(Tokens.user("nora")).get("/api/deliveries").then().statusCode(403);
        Thread.sleep(1500);
        assertEquals(1, orthancInstances(uids.srInstance()).size(), "the second announcement sent nothing again");
    }

    /** The SOP Instance UID of St Mary's study-level report over these analyses (as {@link StudyResult} names it). */
    static String studyReportUid(List<Source> sources, List<Analysis> analyses) throws Exception {
        List<StudyResult.Image> images = new java.util.ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            images.add(new StudyResult.Image(SourceStudy.from(Part10.readHeader(sources.get(i).bytes())),
                    DicomResults.finding(analyses.get(i), "pneumonia-v3")));
        }
        StudyResult r = StudyResult.of(images, 0, "pneumonia-v3", java.time.Instant.now());
        return ResultUids.studyInstance("st-marys", sources.get(0).studyUid(), "pneumonia-v3", r.revision());
    }

    @Test
    void aStudysImagesGetOneStudyLevelReportAndANewRevisionWhenTheStudyGrows() throws Exception {
        Source pa = source();
        Source lateral = source(pa, "LL");
        Analysis a = analysis(ST_MARYS, pa, AnalysisStatus.COMPLETED);
        Analysis b = analysis(ST_MARYS, lateral, AnalysisStatus.NOT_APPLICABLE);
        UsageLedgerTest.send(List.of(completed(a), completed(b)));

        AttributeList study = await(studyReportUid(List.of(pa, lateral), List.of(a, b)));
        assertEquals(pa.patientId(), text(study, TagFromName.PatientID));
        assertEquals(pa.studyUid(), text(study, TagFromName.StudyInstanceUID));
        assertEquals(String.valueOf(StudyReport.SERIES_NUMBER), text(study, TagFromName.SeriesNumber));
        String content = study.toString();
        assertTrue(content.contains("Pneumonia classification (study)"));
        assertTrue(content.contains("0.83"), "the study's result is its analysed image's");
        assertTrue(content.contains("Image " + lateral.sopUid() + ": Not analysed"), "the lateral is listed as such");
        assertTrue(content.contains("1 of 2 images analysed"));
        // one row per study and destination, whatever number of images planned it
        JsonNode rows = JSON.readTree(given().auth().oauth2(Tokens.user("adam")).get("/api/deliveries").then()
                .statusCode(200).extract().asString());
        long studyRows = 0;
        for (JsonNode r : rows) {
            if ("STUDY_SR".equals(r.get("kind").asText()) && pa.studyUid().equals(r.get("study").asText())) {
                studyRows++;
            }
        }
        assertEquals(1, studyRows, rows.toString());

        // a repeat PA arrives later: a new revision, a new instance in the same series; the first stays
        Source repeat = source(pa, "PA");
        Analysis c = analysis(ST_MARYS, repeat, AnalysisStatus.COMPLETED);
        UsageLedgerTest.send(List.of(completed(c)));
        AttributeList grown = await(studyReportUid(List.of(pa, lateral, repeat), List.of(a, b, c)));
        assertEquals(text(study, TagFromName.SeriesInstanceUID), text(grown, TagFromName.SeriesInstanceUID));
        assertTrue(grown.toString().contains("2 of 3 images analysed"));
        assertEquals(1, orthancInstances(text(study, TagFromName.SOPInstanceUID)).size());
    }

    @Test
    void aNotApplicableAnalysisIsReportedAsNotAnalysedWithoutAPicture() throws Exception {
        Source s = source();
        Analysis a = analysis(ST_MARYS, s, AnalysisStatus.NOT_APPLICABLE);
        UsageLedgerTest.send(List.of(completed(a)));
        ResultUids uids = ResultUids.of(a.id.toString(), "pneumonia-v3");
        AttributeList sr = await(uids.srInstance());
        String content = sr.toString();
        assertTrue(content.contains("Not analysed"), "a missing result must never read as a negative one");
        assertFalse(content.contains("233604007"), "no finding is stated");
        Thread.sleep(2000);
        assertTrue(orthancInstances(uids.scInstance()).isEmpty(), "no heat map for an image the model did not read");
    }

    @Test
    void aDestinationReachedByCStoreGetsTheSameObjects() throws Exception {
        // Northside's PACS takes C-STORE (Orthanc's DICOM port, AE DEVPACS)
        given().auth().oauth2(Tokens.user("olga")).contentType("application/json")
                .body("{\"protocol\":\"C_STORE\",\"host\":\"127.0.0.1\",\"port\":14242,\"calledAe\":\"DEVPACS\"}")
                .put("/api/admin/tenants/northside/pacs-destinations/northside-pacs").then().statusCode(200);
        try {
            Source s = source();
            Analysis a = analysis(NORTHSIDE, s, AnalysisStatus.COMPLETED);
            UsageLedgerTest.send(List.of(completed(a)));
            ResultUids uids = ResultUids.of(a.id.toString(), "pneumonia-v3");
            AttributeList sr = await(uids.srInstance());
            assertEquals(s.studyUid(), text(sr, TagFromName.StudyInstanceUID));
            assertEquals(s.patientId(), text(sr, TagFromName.PatientID));
            AttributeList sc = await(uids.scInstance());
            assertEquals("YES", text(sc, TagFromName.BurnedInAnnotation));
        } finally {
            given().auth().oauth2(Tokens.user("olga")).contentType("application/json")
                    .body("{\"protocol\":\"STOW_RS\",\"url\":\"http://127.0.0.1:9/dicom-web\",\"enabled\":false}")
                    .put("/api/admin/tenants/northside/pacs-destinations/northside-pacs").then().statusCode(200);
        }
    }

    @Test
    void aTenantsResultsGoOnlyToItsOwnDestinationAndWaitWhileItIsDown() throws Exception {
        // Northside's PACS is unreachable: its delivery retries (with the error shown), never lands in St Mary's PACS
        given().auth().oauth2(Tokens.user("olga")).contentType("application/json")
                .body("{\"protocol\":\"STOW_RS\",\"url\":\"http://127.0.0.1:9/dicom-web\"}")
                .put("/api/admin/tenants/northside/pacs-destinations/northside-pacs").then().statusCode(200)
                .body("tenant", equalTo("northside"));
        given().auth().oauth2(Tokens.user("adam")).contentType("application/json")
                .body("{\"protocol\":\"STOW_RS\",\"url\":\"http://127.0.0.1:9/dicom-web\"}")
                .put("/api/admin/tenants/northside/pacs-destinations/northside-pacs").then().statusCode(403);
        given().auth().oauth2(Tokens.user("olga")).contentType("application/json")
                .body("{\"protocol\":\"STOW_RS\",\"url\":\"ftp://x\"}")
                .put("/api/admin/tenants/northside/pacs-destinations/bad").then().statusCode(400);
        try {
            Source s = source();
            Analysis a = analysis(NORTHSIDE, s, AnalysisStatus.COMPLETED);
            UsageLedgerTest.send(List.of(completed(a)));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Object[] row = null;
            while (System.nanoTime() < end) {
                row = QuarkusTransaction.requiringNew().call(() -> {
                    @SuppressWarnings("unchecked")
                    List<Object[]> r = Analysis.getEntityManager().createNativeQuery("select topic, attempts, last_error,"
                                    + " published_at, next_attempt_at from outbox_event where channel = 'pacs' and subject = :s"
                                    + " and event_key like 'northside-pacs/SR/%'")
                            .setParameter("s", a.id.toString()).getResultList();
                    return r.isEmpty() ? null : r.get(0);
                });
                if (row != null && ((Number) row[1]).intValue() > 0) {
                    break;
                }
                Thread.sleep(300);
            }
            assertTrue(row != null && ((Number) row[1]).intValue() > 0, "the delivery was attempted");
            assertEquals("northside-pacs", row[0]);
            assertTrue(row[3] == null, "not delivered");
            assertTrue(row[4] != null, "the next attempt waits");
            assertFalse(((String) row[2]).isBlank(), "the error is recorded for the status");
            ResultUids uids = ResultUids.of(a.id.toString(), "pneumonia-v3");
            assertTrue(orthancInstances(uids.srInstance()).isEmpty(), "never delivered to another tenant's PACS");
        } finally {
            given().auth().oauth2(Tokens.user("olga")).contentType("application/json")
                    .body("{\"protocol\":\"STOW_RS\",\"url\":\"http://127.0.0.1:9/dicom-web\",\"enabled\":false}")
                    .put("/api/admin/tenants/northside/pacs-destinations/northside-pacs").then().statusCode(200);
        }
    }

    static void stack(String script, String... args) throws Exception {
        var cmd = new java.util.ArrayList<>(List.of("bash", Path.of("..", "stack", script).toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("stack/" + script + " failed: " + out);
        }
    }

    @Test
    void whileThePacsIsDownDeliveriesWaitAndLandExactlyOnceWhenItReturns() throws Exception {
        stack("down.sh", "orthanc");
        List<Analysis> done = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                done.add(analysis(ST_MARYS, source(), AnalysisStatus.COMPLETED));
            }
            UsageLedgerTest.send(done.stream().map(DeliveryTest::completed).toList());
            // every delivery tried, failed and waiting; the tenant admin sees why
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            JsonNode rows = null;
            while (System.nanoTime() < end) {
                rows = JSON.readTree(given().auth().oauth2(Tokens.user("adam")).get("/api/deliveries").then()
                        .statusCode(200).extract().asString());
                long retrying = 0;
                for (JsonNode r : rows) {
                    if (!"STUDY_SR".equals(r.get("kind").asText())
                        && done.stream().anyMatch(a -> a.id.toString().equals(r.get("analysisId").asText()))
                            && "RETRYING".equals(r.get("state").asText()) && !r.get("lastError").isNull()) {
                        retrying++;
                    }
                }
                if (retrying == 40) {
                    break;
                }
                Thread.sleep(500);
            }
            long retrying = 0;
            for (JsonNode r : rows) {
                if (!"STUDY_SR".equals(r.get("kind").asText())
                        && done.stream().anyMatch(a -> a.id.toString().equals(r.get("analysisId").asText()))
                        && "RETRYING".equals(r.get("state").asText())) {
                    retrying++;
                }
            }
            assertEquals(40, retrying, "20 SRs and 20 SCs wait for the PACS, each with its error: " + rows);
        } finally {
            stack("up.sh");
        }
        // back: each object lands exactly once, under the UID it was always going to have
        for (Analysis a : done) {
            ResultUids uids = ResultUids.of(a.id.toString(), "pneumonia-v3");
            await(uids.srInstance());
            await(uids.scInstance());
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean allDelivered = false;
        while (!allDelivered && System.nanoTime() < end) {
            JsonNode rows = JSON.readTree(given().auth().oauth2(Tokens.user("adam")).get("/api/deliveries").then()
                    .statusCode(200).extract().asString());
            long delivered = 0;
            for (JsonNode r : rows) {
                if (!"STUDY_SR".equals(r.get("kind").asText())
                        && done.stream().anyMatch(a -> a.id.toString().equals(r.get("analysisId").asText()))
                        && "DELIVERED".equals(r.get("state").asText()) && r.get("attempts").asInt() >= 2) {
                    delivered++;
                }
            }
            allDelivered = delivered == 40;
            Thread.sleep(300);
        }
        assertTrue(allDelivered, "the delivery status shows every one delivered after the wait");
    }

    /** The RIS: HAPI's own MLLP server, recording every ORU^R01 it acknowledges. */
    static final class Ris implements ca.uhn.hl7v2.protocol.ReceivingApplication<ca.uhn.hl7v2.model.Message> {
        final java.util.concurrent.BlockingQueue<String> received = new java.util.concurrent.LinkedBlockingQueue<>();

        @Override
        public ca.uhn.hl7v2.model.Message processMessage(ca.uhn.hl7v2.model.Message m, java.util.Map<String, Object> meta)
                throws ca.uhn.hl7v2.HL7Exception {
            received.add(m.encode());
            try {
                return m.generateACK();
            } catch (java.io.IOException e) {
                throw new ca.uhn.hl7v2.HL7Exception(e);
            }
        }

        @Override
        public boolean canProcess(ca.uhn.hl7v2.model.Message m) {
            return true;
        }
    }

    @Test
    void theRisGetsAnOruR01ForEveryOutcomeWithTheHospitalsOwnPatientId() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        var context = new ca.uhn.hl7v2.DefaultHapiContext();
        context.setValidationContext(ca.uhn.hl7v2.validation.impl.ValidationContextFactory.noValidation());
        // ACK control ids in memory: HAPI's default generator writes a file into the working directory
        context.getParserConfiguration().setIdGenerator(new ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator());
        var server = context.newServer(port, false);
        Ris ris = new Ris();
        server.registerApplication("ORU", "R01", ris);
        server.startAndWait();
        given().auth().oauth2(Tokens.user("olga")).contentType("application/json")
                .body("{\"protocol\":\"HL7_MLLP\",\"host\":\"127.0.0.1\",\"port\":" + port
                        + ",\"receivingApplication\":\"RIS\",\"receivingFacility\":\"NORTHSIDE\"}")
                .put("/api/admin/tenants/northside/pacs-destinations/northside-pacs").then().statusCode(200);
        try {
            Source s = source();
            Analysis dicom = analysis(NORTHSIDE, s, AnalysisStatus.COMPLETED);
            Analysis notApplicable = analysis(NORTHSIDE, source(), AnalysisStatus.NOT_APPLICABLE);
            UsageLedgerTest.send(List.of(completed(dicom), completed(notApplicable)));
            var parser = new ca.uhn.hl7v2.parser.PipeParser();
            java.util.Map<String, ca.uhn.hl7v2.model.v251.message.ORU_R01> byAccession = new java.util.HashMap<>();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (byAccession.size() < 2 && System.nanoTime() < end) {
                String m = ris.received.poll(1, TimeUnit.SECONDS);
                if (m != null) {
                    var oru = (ca.uhn.hl7v2.model.v251.message.ORU_R01) parser.parse(m);
                    byAccession.put(oru.getPATIENT_RESULT().getORDER_OBSERVATION().getOBR().getFillerOrderNumber()
                            .getEntityIdentifier().getValue(), oru);
                }
            }
            var oru = byAccession.get(dicom.studyId);
            assertTrue(oru != null, "an ORU^R01 for the completed study, filed under its accession: " + byAccession.keySet());
            assertEquals(s.patientId(), oru.getPATIENT_RESULT().getPATIENT().getPID().getPatientIdentifierList(0)
                    .getIDNumber().getValue(), "PID-3 is the hospital's own patient id, read from the original");
            String er7 = oru.encode();
            assertTrue(er7.contains("233604007") && er7.contains("0.83") && er7.contains("pneumonia-v3"), er7);
            var na = byAccession.get(notApplicable.studyId);
            assertTrue(na != null, "a study the model did not read is reported too");
            assertTrue(na.encode().contains("Not analysed") && !na.encode().contains("PNEUMONIA-PROB"),
                    "never a probability without a result");
        } finally {
            server.stopAndWait();
            context.close();
            given().auth().oauth2(Tokens.user("olga")).contentType("application/json")
                    .body("{\"protocol\":\"STOW_RS\",\"url\":\"http://127.0.0.1:9/dicom-web\",\"enabled\":false}")
                    .put("/api/admin/tenants/northside/pacs-destinations/northside-pacs").then().statusCode(200);
        }
    }
}
