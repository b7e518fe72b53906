package io.alveolus.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.TagFromName;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.TestImages;
import io.alveolus.common.testing.Tokens;
import io.alveolus.interop.report.Part10;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.AnalysisStatus;
import io.alveolus.persistence.AuditEvent;
import io.alveolus.persistence.TenantContext;
import io.alveolus.persistence.feedback.DataUseAgreement;
import io.alveolus.persistence.feedback.FeedbackExport;
import io.alveolus.results.feedback.FeedbackExportExpiry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Radiologists' reviews as curated data, against the real database, object store and Keycloak: the data-use
 * agreement's moves (who may make which, 409 for illegal ones, each in the tenant's trail), and the operator's
 * export: exactly the tenant's reviewed COMPLETED studies under its agreement, with the radiologists' labels (given
 * through the review API), de-identified (the exported DICOM parsed back: identity gone, UIDs replaced consistently,
 * private attributes gone, a BurnedInAnnotation YES and an unmarked image left out; the PNG without metadata), patient
 * keys that group one patient and link to nothing; a tenant without an agreement refused and in no other export;
 * ending the agreement refuses the next export; expired zips deleted, records kept. DICOM sources are made with
 * dcmtk's img2dcm from a shared radiograph.
 */
@QuarkusTest
class FeedbackExportTest {
    static final TenantId ST_MARYS = new TenantId("st-marys");
    static final TenantId NORTHSIDE = new TenantId("northside");
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ObjectStore store;
    @Inject
    FeedbackExportExpiry expiry;

    static RequestSpecification as(String user) {
        return given().auth().oauth2(Tokens.user(user));
    }

    /** Each test starts with no open agreement on any tenant (earlier runs leave theirs in this database). */
    @BeforeEach
    void noAgreements() {
        QuarkusTransaction.requiringNew().run(() -> DataUseAgreement.update(
                "status = 'ENDED', endedBy = 'test-setup', endedAt = ?1 where status <> 'ENDED'", Instant.now()));
    }

    record Dicom(byte[] bytes, String patientName, String patientId, String accession, String studyUid,
                 String sopUid) {
    }

    /** A DX radiograph with identifying attributes, a private attribute and (unless null) a BurnedInAnnotation. */
    static Dicom dicom(String studyUid, String patientName, String burnedIn) throws Exception {
        Path dir = Files.createTempDirectory("feedback");
        var colour = ImageIO.read(TestImages.files("PNEUMONIA", 1).get(0).toFile());
        var grey = new BufferedImage(colour.getWidth(), colour.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        grey.getGraphics().drawImage(colour, 0, 0, null);
        Path jpeg = dir.resolve("grey.jpg");
        ImageIO.write(grey, "jpeg", jpeg.toFile());
        String n = String.valueOf(Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000L));
        String sop = "1.2.826.0.1.3680043.10.998." + n + ".3";
        String patientId = "FBX-" + n;
        String accession = "ACCFB" + n;
        List<String> cmd = new ArrayList<>(List.of("img2dcm", jpeg.toString(), dir.resolve("x.dcm").toString(),
                "-k", "PatientID=" + patientId, "-k", "PatientName=" + patientName, "-k", "PatientBirthDate=19610417",
                "-k", "PatientSex=F", "-k", "PatientAge=065Y", "-k", "Modality=DX", "-k", "ViewPosition=PA",
                "-k", "StudyInstanceUID=" + studyUid, "-k", "SeriesInstanceUID=" + studyUid + ".2",
                "-k", "SOPInstanceUID=" + sop, "-k", "AccessionNumber=" + accession,
                "-k", "InstitutionName=St Marys Feedback Infirmary", "-k", "ReferringPhysicianName=Referrer^Rita",
                "-k", "PerformingPhysicianName=Performer^Paul", "-k", "OperatorsName=Operator^Olaf",
                "-k", "StudyDate=20261130", "-k", "StudyTime=101500", "-k", "StudyDescription=Chest for Feedback^Fiona"));
        if (burnedIn != null) {
            cmd.addAll(List.of("-k", "BurnedInAnnotation=" + burnedIn));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("img2dcm (dcmtk, installed by stack/install-interop-deps.sh) failed: " + log);
        }
        // a vendor's private block, which dcmtk's command line cannot add
        AttributeList list = new AttributeList();
        list.setDecompressPixelData(false);
        try (DicomInputStream in = new DicomInputStream(dir.resolve("x.dcm").toFile())) {
            list.read(in);
        }
        Attribute creator = new LongStringAttribute(new AttributeTag(0x0009, 0x0010));
        creator.addValue("ACME FEEDBACK");
        list.put(creator);
        Attribute secret = new LongStringAttribute(new AttributeTag(0x0009, 0x1001));
        secret.addValue("private " + patientId);
        list.put(secret);
        String ts = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.TransferSyntaxUID);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        list.write(out, ts, true, true);
        return new Dicom(out.toByteArray(), patientName, patientId, accession, studyUid, sop);
    }

    /** A PNG whose tEXt chunk names the patient: the export must not carry it. */
    static byte[] pngWithText(String text) throws Exception {
        BufferedImage img = ImageIO.read(TestImages.files("NORMAL", 1).get(0).toFile());
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        byte[] b = png.toByteArray();
        byte[] data = ("Comment\0" + text).getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer chunk = ByteBuffer.allocate(12 + data.length);
        chunk.putInt(data.length).put("tEXt".getBytes(StandardCharsets.US_ASCII)).put(data);
        CRC32 crc = new CRC32();
        crc.update("tEXt".getBytes(StandardCharsets.US_ASCII));
        crc.update(data);
        chunk.putInt((int) crc.getValue());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, 33); // signature + IHDR
        out.write(chunk.array());
        out.write(b, 33, b.length - 33);
        return out.toByteArray();
    }

    Analysis analysis(TenantId tenant, String patientRef, byte[] image, String contentType, boolean positive) {
        Analysis a = TenancyMatrixTest.analysis(tenant, "alice");
        a.patientRef = patientRef;
        a.heatmapKey = null;
        a.contentType = contentType;
        a.imageKey = ObjectStore.imageKey(tenant, UUID.randomUUID().toString().replace("-", ""));
        a.modelVersion = "pneumonia-v3";
        a.modelSha256 = "ab".repeat(32);
        a.population = "adult";
        a.status = AnalysisStatus.COMPLETED;
        a.positive = positive;
        a.probability = positive ? 0.81 : 0.12;
        a.threshold = 0.42;
        store.put(tenant, a.imageKey, image, contentType);
        TenantContext.run(tenant, () -> QuarkusTransaction.requiringNew().run(a::persist));
        return a;
    }

    static void review(String radiologist, Analysis a, String label) {
        as(radiologist).contentType("application/json").body(Map.of("label", label, "comment", "feedback test"))
                .post("/api/analyses/" + a.id + "/review").then().statusCode(200).body("reviewLabel", equalTo(label));
    }

    static long request(String admin, Instant from) {
        Map<String, Object> body = new HashMap<>(Map.of("scope", "MODEL_IMPROVEMENT", "termsVersion", "terms-2026-12"));
        if (from != null) {
            body.put("from", from.toString());
        }
        return ((Number) as(admin).contentType("application/json").body(body)
                .post("/api/tenant/data-use-agreement/request").then().statusCode(201)
                .body("status", equalTo("REQUESTED")).body("requestedBy", equalTo(admin))
                .extract().path("id")).longValue();
    }

    static List<String> trail(TenantId tenant, String resourceId) {
        return QuarkusTransaction.requiringNew().call(() -> AuditEvent.<AuditEvent>list(
                "tenant = ?1 and resourceId = ?2 order by id", tenant.value(), resourceId).stream()
                .map(e -> e.action + ":" + e.actor).toList());
    }

    @Test
    void agreementMoves() {
        // who may ask: the tenant's admin; not a clinician, not the operator on the tenant endpoint
        as("rachel").contentType("application/json").body(Map.of("scope", "MODEL_IMPROVEMENT", "termsVersion", "t-1"))
                .post("/api/tenant/data-use-agreement/request").then().statusCode(403);
        as("adam").contentType("application/json").body(Map.of("scope", "MARKETING", "termsVersion", "t-1"))
                .post("/api/tenant/data-use-agreement/request").then().statusCode(400);
        as("adam").contentType("application/json").body(Map.of("scope", "MODEL_IMPROVEMENT"))
                .post("/api/tenant/data-use-agreement/request").then().statusCode(400);
        long id = request("adam", null);
        as("adam").contentType("application/json").body(Map.of("scope", "MODEL_IMPROVEMENT", "termsVersion", "t-2"))
                .post("/api/tenant/data-use-agreement/request").then().statusCode(409);
        as("adam").get("/api/tenant/data-use-agreement").then().statusCode(200).body("active", nullValue())
                .body("agreements[0].id", equalTo((int) id));

        // who may grant: the operator only
        as("adam").post("/api/admin/data-use-agreements/" + id + "/grant").then().statusCode(403);
        as("olga").get("/api/admin/data-use-agreements?status=REQUESTED").then().statusCode(200)
                .body("id", hasItem((int) id));
        as("olga").post("/api/admin/data-use-agreements/" + id + "/grant").then().statusCode(200)
                .body("status", equalTo("ACTIVE")).body("grantedBy", equalTo("olga"));
        as("olga").post("/api/admin/data-use-agreements/" + id + "/grant").then().statusCode(409);
        as("adam").get("/api/tenant/data-use-agreement").then().body("active.id", equalTo((int) id))
                .body("active.termsVersion", equalTo("terms-2026-12"));

        // newer terms: requested while one is active, but a second active one is refused until the first ends
        long renewal = request("adam", null);
        as("olga").post("/api/admin/data-use-agreements/" + renewal + "/grant").then().statusCode(409)
                .body("detail", containsString("already has an active agreement"));
        as("olga").post("/api/admin/data-use-agreements/" + id + "/end").then().statusCode(200)
                .body("status", equalTo("ENDED")).body("endedBy", equalTo("olga"));
        as("olga").post("/api/admin/data-use-agreements/" + id + "/end").then().statusCode(409);
        as("olga").post("/api/admin/data-use-agreements/" + id + "/grant").then().statusCode(409);
        as("olga").post("/api/admin/data-use-agreements/" + renewal + "/grant").then().statusCode(200);

        // the tenant admin ends its own; another tenant's is as missing as a missing one
        as("nora").post("/api/tenant/data-use-agreement/" + renewal + "/end").then().statusCode(403);
        as("adam").post("/api/tenant/data-use-agreement/999999999/end").then().statusCode(404);
        as("adam").post("/api/tenant/data-use-agreement/" + renewal + "/end").then().statusCode(200)
                .body("endedBy", equalTo("adam"));
        as("adam").get("/api/tenant/data-use-agreement").then().body("active", nullValue());

        // every move in St Mary's own trail, with who made it
        List<String> first = trail(ST_MARYS, String.valueOf(id));
        assertTrue(first.containsAll(List.of("data-use-agreement.request:adam", "data-use-agreement.grant:olga",
                "data-use-agreement.end:olga")), "moves in the tenant's trail: " + first);
        List<String> second = trail(ST_MARYS, String.valueOf(renewal));
        assertTrue(second.containsAll(List.of("data-use-agreement.request:adam", "data-use-agreement.grant:olga",
                "data-use-agreement.end:adam")), "moves in the tenant's trail: " + second);
        assertTrue(trail(NORTHSIDE, String.valueOf(id)).isEmpty(), "nothing in another tenant's trail");
    }

    @Test
    void exportHoldsExactlyTheReviewedStudiesDeidentified() throws Exception {
        Instant start = Instant.now().minusSeconds(1).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        String run = UUID.randomUUID().toString().substring(0, 8);
        String p1 = "PSEUDO-FB-" + run + "-1";
        String p2 = "PSEUDO-FB-" + run + "-2";
        String studyUid = "1.2.826.0.1.3680043.10.998." + Math.abs(UUID.randomUUID().getLeastSignificantBits() % 1_000_000_000L);
        // two images of one study of patient 1: the model was right on the first, wrong on the second
        Dicom d1 = dicom(studyUid, "Feedback^Fiona", "NO");
        Dicom d2 = dicom(studyUid, "Feedback^Fiona", "NO");
        Analysis confirmed = analysis(ST_MARYS, p1, d1.bytes(), "application/dicom", true);
        Analysis overruled = analysis(ST_MARYS, p1, d2.bytes(), "application/dicom", true);
        // text in the pixels: marked YES, and one not marked at all
        Analysis burnedIn = analysis(ST_MARYS, p2, dicom(studyUid + ".9", "Burned^Bert", "YES").bytes(),
                "application/dicom", false);
        Analysis unmarked = analysis(ST_MARYS, p2, dicom(studyUid + ".8", "Unmarked^Una", null).bytes(),
                "application/dicom", false);
        Analysis picture = analysis(ST_MARYS, p2, pngWithText("Patient Feedback^Pia"), "image/png", false);
        Analysis notReviewed = analysis(ST_MARYS, p1, dicom(studyUid + ".7", "Feedback^Fiona", "NO").bytes(),
                "application/dicom", true);
        Analysis otherTenant = analysis(NORTHSIDE, "PSEUDO-NS-" + run, dicom(studyUid + ".6", "North^Nina", "NO").bytes(),
                "application/dicom", true);
        review("rachel", confirmed, "PNEUMONIA");
        review("rachel", overruled, "NO_PNEUMONIA");
        review("rachel", burnedIn, "NO_PNEUMONIA");
        review("rachel", unmarked, "NO_PNEUMONIA");
        review("rachel", picture, "PNEUMONIA");
        review("nora", otherTenant, "PNEUMONIA");

        // no agreement: nothing, for either tenant
        as("olga").contentType("application/json").body("{}").post("/api/admin/tenants/st-marys/feedback-exports")
                .then().statusCode(409).body("type", equalTo("urn:alveolus:problem:no-data-use-agreement"));
        as("olga").contentType("application/json").body("{}").post("/api/admin/tenants/northside/feedback-exports")
                .then().statusCode(409);

        // St Mary's agrees for studies from now on (earlier runs' studies in this database lie before)
        long agreement = request("adam", start);
        as("olga").post("/api/admin/data-use-agreements/" + agreement + "/grant").then().statusCode(200);
        as("adam").contentType("application/json").body("{}").post("/api/admin/tenants/st-marys/feedback-exports")
                .then().statusCode(403);
        var created = as("olga").contentType("application/json").body("{}")
                .post("/api/admin/tenants/st-marys/feedback-exports").then().statusCode(201)
                .body("included", equalTo(3)).body("leftOutBurnedIn", equalTo(2))
                .body("leftOutUnreadable", equalTo(0)).body("agreementId", equalTo((int) agreement))
                .body("termsVersion", equalTo("terms-2026-12")).extract();
        String exportId = created.path("id");
        as("olga").contentType("application/json").body("{}").post("/api/admin/tenants/northside/feedback-exports")
                .then().statusCode(409);

        // recorded: every considered analysis with its sample and patient key; the zip outside every tenant prefix
        FeedbackExport record = QuarkusTransaction.requiringNew().call(() -> FeedbackExport.findById(UUID.fromString(exportId)));
        assertEquals(ObjectStore.feedbackExportKey(UUID.fromString(exportId)), record.objectKey);
        assertTrue(record.objectKey.startsWith("platform/feedback-exports/"));
        Map<UUID, String[]> items = items(exportId);
        assertEquals(Set.of(confirmed.id, overruled.id, burnedIn.id, unmarked.id, picture.id), items.keySet(),
                "exactly St Mary's reviewed, completed studies of the period: not the unreviewed one, not Northside's");
        assertEquals("LEFT_OUT_BURNED_IN", items.get(burnedIn.id)[2]);
        assertEquals("LEFT_OUT_BURNED_IN", items.get(unmarked.id)[2]);

        // the zip, as the operator downloads it
        as("rachel").get("/api/admin/tenants/st-marys/feedback-exports/" + exportId).then().statusCode(403);
        as("olga").get("/api/admin/tenants/northside/feedback-exports/" + exportId).then().statusCode(404);
        byte[] zip = as("olga").get("/api/admin/tenants/st-marys/feedback-exports/" + exportId).then().statusCode(200)
                .header("Content-Type", containsString("application/zip")).extract().asByteArray();
        Map<String, byte[]> entries = unzip(zip);
        StringBuilder everything = new StringBuilder();
        entries.values().forEach(b -> everything.append(new String(b, StandardCharsets.ISO_8859_1)));
        String all = everything.toString();
        for (String identifying : List.of("Feedback^Fiona", "Feedback^Pia", "Burned^Bert", "Unmarked^Una",
                "North^Nina", d1.patientId(), d2.patientId(), d1.accession(), p1, p2, "Feedback Infirmary",
                "Referrer^Rita", "Performer^Paul", "Operator^Olaf", "19610417", "20261130", "ACME FEEDBACK",
                "Chest for Feedback", studyUid, d1.sopUid(), confirmed.id.toString(), otherTenant.id.toString())) {
            assertFalse(all.contains(identifying), "the export carries no " + identifying);
        }

        JsonNode manifest = JSON.readTree(entries.get("manifest.json"));
        assertEquals(exportId, manifest.get("exportId").asText());
        assertEquals("st-marys", manifest.get("tenant").asText());
        assertEquals("olga", manifest.get("createdBy").asText());
        assertEquals("radiologist", manifest.get("reviewerRole").asText());
        assertEquals(agreement, manifest.at("/agreement/id").asLong());
        assertEquals("terms-2026-12", manifest.at("/agreement/termsVersion").asText());
        assertEquals(start.toString(), manifest.at("/period/from").asText());
        assertEquals(3, manifest.at("/counts/included").asInt());
        assertEquals(2, manifest.at("/counts/leftOutBurnedInAnnotation").asInt());
        assertEquals(2, manifest.at("/counts/dicom").asInt());
        assertEquals(1, manifest.at("/counts/png").asInt());
        assertEquals(2, manifest.at("/counts/patients").asInt());

        // the radiologists' labels beside the model's output, per sample
        Map<String, Map<String, String>> labels = csv(entries.get("labels.csv"));
        assertEquals(3, labels.size());
        Map<String, String> c = labels.get(items.get(confirmed.id)[0]);
        Map<String, String> o = labels.get(items.get(overruled.id)[0]);
        Map<String, String> pic = labels.get(items.get(picture.id)[0]);
        assertEquals("PNEUMONIA", c.get("label"));
        assertEquals("CONFIRMED", c.get("review"));
        assertEquals("NO_PNEUMONIA", o.get("label"));
        assertEquals("PNEUMONIA", o.get("model_label"));
        assertEquals("OVERRULED", o.get("review"));
        assertEquals("PNEUMONIA", pic.get("label"));
        assertEquals("OVERRULED", pic.get("review"));
        assertEquals("0.81", c.get("probability"));
        assertEquals("0.42", c.get("threshold"));
        assertEquals("pneumonia-v3", c.get("model_version"));
        assertEquals("ab".repeat(32), c.get("model_sha256"));
        // patient-disjoint keys: one patient one key, two patients two keys, none of them the pseudonym
        assertEquals(c.get("patient_key"), o.get("patient_key"));
        assertNotEquals(c.get("patient_key"), pic.get("patient_key"));
        assertTrue(c.get("patient_key").matches("[0-9a-f]{32}"));
        assertEquals(items.get(confirmed.id)[1], c.get("patient_key"), "the record holds the key the zip used");

        // the DICOM parsed back: identity gone, UIDs replaced (one study stays one study), private block gone
        AttributeList e1 = Part10.read(entries.get(c.get("file")));
        AttributeList e2 = Part10.read(entries.get(o.get("file")));
        for (AttributeList e : List.of(e1, e2)) {
            for (AttributeTag gone : List.of(TagFromName.PatientName, TagFromName.PatientBirthDate,
                    TagFromName.AccessionNumber, TagFromName.InstitutionName, TagFromName.ReferringPhysicianName,
                    TagFromName.PerformingPhysicianName, TagFromName.OperatorsName, TagFromName.StudyDate,
                    TagFromName.StudyTime, TagFromName.StudyDescription)) {
                assertEquals("", Attribute.getSingleStringValueOrEmptyString(e, gone), "removed or emptied: " + gone);
            }
            assertEquals(c.get("patient_key"), Attribute.getSingleStringValueOrEmptyString(e, TagFromName.PatientID));
            assertEquals("YES", Attribute.getSingleStringValueOrEmptyString(e, TagFromName.PatientIdentityRemoved));
            String[] method = e.get(TagFromName.DeidentificationMethod).getStringValues();
            assertTrue(List.of(method).contains("PS3.15 E Basic Application Confidentiality Profile"), List.of(method).toString());
            for (String v : method) {
                assertTrue(v.length() <= 64, "DeidentificationMethod is LO, 64 characters a value: " + v);
            }
            SequenceAttribute codes = (SequenceAttribute) e.get(TagFromName.DeidentificationMethodCodeSequence);
            assertNotNull(codes);
            assertEquals("113100", Attribute.getSingleStringValueOrEmptyString(codes.getItem(0).getAttributeList(),
                    TagFromName.CodeValue));
            assertEquals(null, e.get(new AttributeTag(0x0009, 0x1001)), "private attributes removed");
            assertEquals(null, e.get(new AttributeTag(0x0009, 0x0010)));
            assertEquals("065Y", Attribute.getSingleStringValueOrEmptyString(e, TagFromName.PatientAge),
                    "patient characteristics retained (the model's population)");
            assertEquals("PA", Attribute.getSingleStringValueOrEmptyString(e, TagFromName.ViewPosition));
            assertNotNull(e.get(TagFromName.PixelData));
            for (AttributeTag uid : List.of(TagFromName.StudyInstanceUID, TagFromName.SeriesInstanceUID,
                    TagFromName.SOPInstanceUID)) {
                assertTrue(Attribute.getSingleStringValueOrEmptyString(e, uid).startsWith("2.25."), "replaced: " + uid);
            }
            assertEquals(Attribute.getSingleStringValueOrEmptyString(e, TagFromName.SOPInstanceUID),
                    Attribute.getSingleStringValueOrEmptyString(e, TagFromName.MediaStorageSOPInstanceUID));
        }
        assertEquals(Attribute.getSingleStringValueOrEmptyString(e1, TagFromName.StudyInstanceUID),
                Attribute.getSingleStringValueOrEmptyString(e2, TagFromName.StudyInstanceUID),
                "the images of one study stay one study");
        assertNotEquals(Attribute.getSingleStringValueOrEmptyString(e1, TagFromName.SOPInstanceUID),
                Attribute.getSingleStringValueOrEmptyString(e2, TagFromName.SOPInstanceUID));
        assertNotEquals(d1.sopUid(), Attribute.getSingleStringValueOrEmptyString(e1, TagFromName.SOPInstanceUID));

        // the picture: a PNG of the same size with nothing but image chunks
        byte[] png = entries.get(pic.get("file"));
        assertTrue(pic.get("file").endsWith(".png"));
        assertEquals(Set.of("IHDR", "IDAT", "IEND"), pngChunks(png), "no metadata chunks");
        BufferedImage exported = ImageIO.read(new ByteArrayInputStream(png));
        BufferedImage original = ImageIO.read(TestImages.files("NORMAL", 1).get(0).toFile());
        assertEquals(original.getWidth(), exported.getWidth());
        assertEquals(Set.of("manifest.json", "labels.csv", c.get("file"), o.get("file"), pic.get("file")),
                entries.keySet(), "nothing else in the zip");

        // audited: the export in St Mary's trail, the download as the operator's call
        assertTrue(trail(ST_MARYS, exportId).contains("feedback-export.create:olga"), trail(ST_MARYS, exportId).toString());
        long downloads = QuarkusTransaction.requiringNew().call(() -> AuditEvent.count(
                "action = ?1 and resourceId = ?2 and actor = ?3 and httpStatus = 200", "feedback-export.download",
                exportId, "olga"));
        assertEquals(1, downloads);

        // a re-export is traceable: new keys, new samples, same analyses on record
        String again = as("olga").contentType("application/json").body("{}")
                .post("/api/admin/tenants/st-marys/feedback-exports").then().statusCode(201)
                .body("included", equalTo(3)).extract().path("id");
        Map<UUID, String[]> againItems = items(again);
        assertEquals(items.keySet(), againItems.keySet());
        assertNotEquals(items.get(confirmed.id)[1], againItems.get(confirmed.id)[1],
                "patient keys of different exports cannot be linked");

        // the tenant admin ends the agreement: the next export is refused, no study of St Mary's leaves any more
        as("adam").post("/api/tenant/data-use-agreement/" + agreement + "/end").then().statusCode(200);
        as("olga").contentType("application/json").body("{}").post("/api/admin/tenants/st-marys/feedback-exports")
                .then().statusCode(409).body("detail", containsString("no active data-use agreement"));
        assertTrue(trail(ST_MARYS, String.valueOf(agreement)).contains("data-use-agreement.end:adam"));
        as("olga").get("/api/admin/tenants/st-marys/feedback-exports").then().statusCode(200)
                .body("id", hasItem(exportId)).body("id", hasItem(again));
        // Northside never had an agreement: in no export at all
        long northsideItems = QuarkusTransaction.requiringNew().call(() -> ((Number) Analysis.getEntityManager()
                .createNativeQuery("select count(*) from feedback_export_item where analysis_id = :id")
                .setParameter("id", otherTenant.id).getSingleResult()).longValue());
        assertEquals(0, northsideItems);
        long northsideExports = QuarkusTransaction.requiringNew().call(() -> FeedbackExport.count("tenant", "northside"));
        assertEquals(0, northsideExports);

        // expiry: past the retention the zip is deleted, the record stays and the download says so
        Instant later = record.expiresAt.plus(Duration.ofMinutes(1));
        assertTrue(expiry.run(later) >= 2);
        FeedbackExport expired = QuarkusTransaction.requiringNew().call(() -> FeedbackExport.findById(UUID.fromString(exportId)));
        assertNotNull(expired.deletedAt);
        as("olga").get("/api/admin/tenants/st-marys/feedback-exports/" + exportId).then().statusCode(410);
        as("olga").get("/api/admin/tenants/st-marys/feedback-exports").then()
                .body("find { it.id == '" + exportId + "' }.download", nullValue())
                .body("find { it.id == '" + exportId + "' }.deletedAt", not(nullValue()));
        try (var in = store.openFeedbackExport(record.objectKey)) {
            fail("the expired zip is still in the object store");
        } catch (io.alveolus.common.problem.ProblemException gone) {
            assertEquals(404, gone.status());
        }
        assertTrue(trail(ST_MARYS, exportId).contains("feedback-export.expire:feedback-export-expiry"));
        assertEquals(items.keySet(), items(exportId).keySet(), "the record of what was exported stays");
    }

    /** analysis id -> {sample, patient key, outcome}. */
    @SuppressWarnings("unchecked")
    static Map<UUID, String[]> items(String exportId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Map<UUID, String[]> m = new HashMap<>();
            for (Object[] r : (List<Object[]>) Analysis.getEntityManager().createNativeQuery(
                    "select analysis_id, sample, patient_key, outcome from feedback_export_item where export_id = :id")
                    .setParameter("id", UUID.fromString(exportId)).getResultList()) {
                m.put((UUID) r[0], new String[]{(String) r[1], (String) r[2], (String) r[3]});
            }
            return m;
        });
    }

    static Map<String, byte[]> unzip(byte[] zip) throws Exception {
        Map<String, byte[]> m = new HashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                m.put(e.getName(), in.readAllBytes());
            }
        }
        return m;
    }

    /** sample -> column -> value (the export quotes nothing these tests write). */
    static Map<String, Map<String, String>> csv(byte[] bytes) {
        String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
        String[] header = lines[0].split(",", -1);
        Map<String, Map<String, String>> rows = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String[] cells = lines[i].split(",", -1);
            Map<String, String> row = new HashMap<>();
            for (int j = 0; j < header.length; j++) {
                row.put(header[j], cells[j]);
            }
            rows.put(row.get("sample"), row);
        }
        return rows;
    }

    static Set<String> pngChunks(byte[] png) {
        Set<String> types = new HashSet<>();
        ByteBuffer b = ByteBuffer.wrap(png);
        b.position(8);
        while (b.remaining() >= 12) {
            int length = b.getInt();
            byte[] type = new byte[4];
            b.get(type);
            types.add(new String(type, StandardCharsets.US_ASCII));
            b.position(b.position() + length + 4);
        }
        return types;
    }
}
