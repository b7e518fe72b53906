package io.alveolus.ingest;

import io.alveolus.common.events.StoredFields;
import io.alveolus.common.events.Topics;
import io.alveolus.common.imaging.ImageLimits;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.EventProbe;
import io.alveolus.common.testing.TestDicom;
import io.alveolus.common.testing.TestImages;
import io.alveolus.common.testing.Tokens;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.TenantContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real Keycloak, S3Proxy, Kafka and PostgreSQL from the local stack. */
@QuarkusTest
class ImageUploadTest {
    static final TenantId ST_MARYS = new TenantId("st-marys");

    @Inject
    ObjectStore store;

    /** Each call in its own transaction, hence its own Hibernate session and tenant resolution. */
    static <T> T as(TenantId tenant, java.util.function.Supplier<T> work) {
        return TenantContext.call(tenant, () -> QuarkusTransaction.requiringNew().call(work::get));
    }

    static String study() {
        return "ACC-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static RequestSpecification upload(String token, byte[] bytes, String declaredType, String study) {
        return given().auth().oauth2(token).multiPart("file", "xray", bytes, declaredType)
                .multiPart("studyId", study).multiPart("patientRef", "PSEUDO-42").multiPart("priority", "URGENT");
    }

    static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void acceptedImageIsStoredPublishedAndQueued() throws Exception {
        byte[] xray = TestImages.bytes(TestImages.files("PNEUMONIA", 1).get(0));
        String study = study();
        // upload() sends URGENT studies; within the plan's urgent allowance they travel in the urgent lane
        try (var probe = new EventProbe(Topics.IMAGE_RECEIVED_URGENT)) {
            String id = upload(Tokens.device("st-marys"), xray, "image/jpeg", study)
                    .post("/api/images").then().statusCode(202)
                    .body("status", equalTo("QUEUED")).body("duplicate", equalTo(false))
                    .body("analysisId", notNullValue()).extract().path("analysisId");

            var events = probe.await(r -> r.value().contains(id), Duration.ofSeconds(10));
            assertEquals(1, events.size(), "one image-received event");
            assertEquals("st-marys/" + study, events.get(0).key());
            assertFalse(events.get(0).value().contains("base64"), "no pixel data in events");
            assertTrue(store.exists(ST_MARYS, ObjectStore.imageKey(ST_MARYS, sha(xray))));
            Analysis row = as(ST_MARYS, () -> Analysis.findById(UUID.fromString(id)));
            assertNull(as(new TenantId("northside"), () -> Analysis.findById(UUID.fromString(id))),
                    "Hibernate's tenant filter hides the row from another tenant");
            assertNull(QuarkusTransaction.requiringNew().call(() -> Analysis.findById(UUID.fromString(id))),
                    "and from code that names no tenant");
            assertEquals("st-marys", row.tenant);
            assertEquals("QUEUED", row.status.name());

            // Same image, same study: same analysis, no second one.
            upload(Tokens.device("st-marys"), xray, "image/jpeg", study).post("/api/images").then().statusCode(200)
                    .body("analysisId", equalTo(id)).body("duplicate", equalTo(true));
            assertEquals(1, as(ST_MARYS, () -> Analysis.count("studyId", study)));
        }
    }

    @Test
    void badInputsGetTheirStatusAndLeaveNothingBehind() throws Exception {
        byte[] png = new byte[]{(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                0, 0, (byte) 0xea, 0x60, 0, 0, (byte) 0xea, 0x60, 8, 0, 0, 0, 0, 0, 0, 0, 0};
        // Each refused input is unique to this run, so "no object was stored" cannot pass by accident.
        var rnd = new java.util.Random();
        png = java.util.Arrays.copyOf(png, png.length + 8);
        for (int i = png.length - 8; i < png.length; i++) {
            png[i] = (byte) rnd.nextInt();
        }
        byte[] pdf = ("%PDF-1.7 not an x-ray at all " + UUID.randomUUID()).getBytes();
        byte[] real = TestImages.bytes(TestImages.files("NORMAL", 1).get(0));
        byte[] truncated = java.util.Arrays.copyOf(real, real.length / 2 + rnd.nextInt(real.length / 4));
        byte[] huge = new byte[21 * 1024 * 1024];
        rnd.nextBytes(huge);
        System.arraycopy(real, 0, huge, 0, real.length);
        String device = Tokens.device("st-marys");
        String study = study();
        try (var probe = new EventProbe(Topics.IMAGE_RECEIVED);
             var urgentProbe = new EventProbe(Topics.IMAGE_RECEIVED_URGENT)) {
            upload(device, new byte[0], "image/png", study).post("/api/images").then().statusCode(400)
                    .contentType("application/problem+json").body("status", equalTo(400));
            upload(device, pdf, "image/png", study).post("/api/images").then().statusCode(415)
                    .contentType("application/problem+json");
            upload(device, png, "image/png", study).post("/api/images").then().statusCode(422)
                    .contentType("application/problem+json");
            upload(device, truncated, "image/jpeg", study).post("/api/images").then().statusCode(422);
            upload(device, huge, "image/jpeg", study).post("/api/images").then().statusCode(413)
                    .contentType("application/problem+json");
            given().auth().oauth2(device).multiPart("file", "x", real, "image/jpeg").multiPart("patientRef", "P1")
                    .post("/api/images").then().statusCode(400).body("detail", equalTo("studyId is required"));
            upload(device, real, "image/jpeg", "bad study id!").post("/api/images").then().statusCode(400);
            // wrong caller: no token, a physician (no upload role), a tampered device token
            upload("", real, "image/jpeg", study).post("/api/images").then().statusCode(401);
            upload(Tokens.user("alice"), real, "image/jpeg", study).post("/api/images").then().statusCode(403);
            upload(Tokens.tamper(Tokens.device("northside"), "tenant", "st-marys"), real, "image/jpeg", study)
                    .post("/api/images").then().statusCode(401);

            assertEquals(0, as(ST_MARYS, () -> Analysis.count("studyId", study)), "no row");
            for (byte[] b : new byte[][]{png, pdf, truncated, huge}) {
                assertFalse(store.exists(ST_MARYS, ObjectStore.imageKey(ST_MARYS, sha(b))), "no object for a refused image");
            }
            assertTrue(probe.await(r -> r.key().endsWith(study), Duration.ofSeconds(3)).isEmpty(), "no event");
            assertTrue(urgentProbe.await(r -> r.key().endsWith(study), Duration.ofSeconds(1)).isEmpty(),
                    "no event in the urgent lane either");
        }
    }

    @Test
    void dicomWhoseFieldsTheDatabaseWouldRefuseIsRefusedBeforeAnythingIsStoredOrPublished() throws Exception {
        // Issue 12: a 65-character SOP Instance UID (the column is varchar(64)) used to be stored and published,
        // then the insert failed and the device was told 503 "retry"; the worker retried it forever.
        var xray = TestImages.files("NORMAL", 3).get(2);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String longUid = TestDicom.uid(65);
        byte[] badUid = TestDicom.radiograph(xray, longUid, "PA", "ACC-U" + tag);
        byte[] badView = TestDicom.radiograph(xray, TestDicom.uid(40), "POSTEROANTERIOR-X", "ACC-V" + tag);
        byte[] good = TestDicom.radiograph(xray, TestDicom.uid(64), "PA", "ACC-G" + tag);
        String device = Tokens.device("st-marys");
        try (var probe = new EventProbe(Topics.IMAGE_RECEIVED);
             var urgentProbe = new EventProbe(Topics.IMAGE_RECEIVED_URGENT)) {
            given().auth().oauth2(device).multiPart("file", "x.dcm", badUid, "application/dicom")
                    .post("/api/images").then().statusCode(422).contentType("application/problem+json")
                    .body("status", equalTo(422))
                    .body("detail", org.hamcrest.Matchers.containsString("SOP Instance UID is not a valid DICOM UID"));
            given().auth().oauth2(device).multiPart("file", "x.dcm", badView, "application/dicom")
                    .post("/api/images").then().statusCode(422).contentType("application/problem+json")
                    .body("detail", equalTo("the ViewPosition has 17 characters; at most 16 can be stored"));

            // STOW-RS: the same two fail per instance (A900: values not valid), the good one is stored
            String boundary = "b-" + tag;
            var stow = given().auth().oauth2(device)
                    .contentType("multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                    .body(TestDicom.multipartRelated(boundary, List.of(badUid, good, badView)))
                    .post("/api/dicomweb/studies").then().statusCode(202)
                    .extract().jsonPath();
            assertEquals(List.of(0xA900, 0xA900), stow.getList("'00081198'.Value.'00081197'.Value.flatten()"));
            assertEquals(longUid, stow.getList("'00081198'.Value.'00081155'.Value.flatten()").get(0));
            assertEquals(1, stow.getList("'00081199'.Value").size(), "the valid instance is stored");

            for (String refused : List.of("ACC-U" + tag, "ACC-V" + tag)) {
                assertEquals(0, as(ST_MARYS, () -> Analysis.count("studyId", refused)), "no row for " + refused);
            }
            for (byte[] b : new byte[][]{badUid, badView}) {
                assertFalse(store.exists(ST_MARYS, ObjectStore.imageKey(ST_MARYS, sha(b))), "no object");
            }
            assertEquals(1, probe.await(r -> r.key().endsWith("ACC-G" + tag), Duration.ofSeconds(10)).size(),
                    "the valid instance's event (the probe sees events)");
            assertTrue(probe.await(r -> r.key().contains(tag) && !r.key().endsWith("ACC-G" + tag),
                    Duration.ofSeconds(2)).isEmpty(), "no event for a refused instance");
            assertTrue(urgentProbe.await(r -> r.key().contains(tag), Duration.ofSeconds(1)).isEmpty());
        }
    }

    @Test
    void priorityIsAnExactName() {
        byte[] real = TestImages.bytes(TestImages.files("NORMAL", 1).get(0));
        // "ROUT\u0131NE" (dotless i) equals "ROUTINE" ignoring case in Java: it must not be taken for ROUTINE either
        for (String p : List.of("URGENT\0", " URGENT", "URGENT\n", "URGENT,ROUTINE", "ROUT\u0131NE", "1")) {
            given().auth().oauth2(Tokens.device("st-marys")).multiPart("file", "x", real, "image/jpeg")
                    .multiPart("studyId", study()).multiPart("patientRef", "P1").multiPart("priority", p)
                    .post("/api/images").then().statusCode(400).contentType("application/problem+json")
                    .body("detail", equalTo("priority must be ROUTINE or URGENT"));
        }
    }

    // --- the validation contract, the same on /api/images and STOW-RS (issue 12, item 3) ---------------------------

    static RequestSpecification uploadDicom(String token, byte[] dicom) {
        return given().auth().oauth2(token).multiPart("file", "x.dcm", dicom, "application/dicom");
    }

    static io.restassured.path.json.JsonPath stow(String token, List<byte[]> instances, int status) {
        String boundary = "b-" + UUID.randomUUID();
        return given().auth().oauth2(token)
                .contentType("multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .body(TestDicom.multipartRelated(boundary, instances))
                .post("/api/dicomweb/studies").then().statusCode(status).extract().jsonPath();
    }

    @Test
    void anUncompressedSixteenBitDicomOverTwentyMegabytesIsAcceptedOnBothPaths() throws Exception {
        // Issue 12: STOW-RS accepted a 21.8 MB DICOM that /api/images refused with 413. The rule now, on both paths:
        // DICOM is bounded by its decoded pixels (64 MB), not by its file; PNG/JPEG by their 20 MB file.
        String tag = UUID.randomUUID().toString().substring(0, 8);
        java.util.function.IntBinaryOperator px = (x, y) -> (x * 7 + y * 13) % 4096;
        byte[] viaUpload = TestDicom.uncompressed(3300, 3300, 16, px, TestDicom.uid(50), "ACC-LU" + tag);
        byte[] viaStow = TestDicom.uncompressed(3300, 3300, 16, px, TestDicom.uid(50), "ACC-LS" + tag);
        assertTrue(viaUpload.length > 21_700_000 && viaUpload.length > ImageLimits.MAX_RASTER_FILE_BYTES);
        String device = Tokens.device("st-marys");
        uploadDicom(device, viaUpload).post("/api/images").then().statusCode(202).body("status", equalTo("QUEUED"));
        var answer = stow(device, List.of(viaStow), 200);
        assertEquals(1, answer.getList("'00081199'.Value").size(), "stored by STOW-RS as well");
        assertEquals(1, as(ST_MARYS, () -> Analysis.count("studyId", "ACC-LU" + tag)));
        assertEquals(1, as(ST_MARYS, () -> Analysis.count("studyId", "ACC-LS" + tag)));
    }

    @Test
    void degenerateMismatchedAndOversizedDicomIsRefusedOnBothPathsAlike() throws Exception {
        // Issue 12: a 1x1 and an all-zero 100x100 DICOM were analysed ("pneumonia 0.9999") while PNG/JPEG needed
        // 64 px; a DICOM declaring JPEG Baseline but holding raw pixels was accepted; the pixel limit was checked
        // only after the decoder had allocated the pixels.
        String tag = UUID.randomUUID().toString().substring(0, 8);
        byte[] random100 = new byte[100 * 100];
        new java.util.Random().nextBytes(random100);
        Map<String, byte[]> refused = new java.util.LinkedHashMap<>();
        refused.put("1x1 pixels; accepted sides are 64 to 8192 pixels",
                TestDicom.uncompressed(1, 1, 8, (x, y) -> 128, TestDicom.uid(40), "ACC-D1" + tag));
        refused.put("every pixel of the image has the same value",
                TestDicom.uncompressed(100, 100, 8, (x, y) -> 0, TestDicom.uid(40), "ACC-D2" + tag));
        refused.put("the transfer syntax is JPEG Baseline (Process 1) but the pixel data is not encapsulated",
                TestDicom.uncompressed(TestDicom.JPEG_BASELINE, 100, 100, 8, random100, TestDicom.uid(40),
                        "ACC-D3" + tag));
        refused.put("exactly 10000 bytes", TestDicom.uncompressed(TestDicom.EXPLICIT_LE, 100, 100, 8,
                java.util.Arrays.copyOf(random100, 9900), TestDicom.uid(40), "ACC-D4" + tag));
        refused.put("decodes to more than the limit of " + ImageLimits.MAX_DECODED_BYTES + " bytes",
                TestDicom.uncompressed(TestDicom.EXPLICIT_LE, 8000, 8000, 16, random100, TestDicom.uid(40),
                        "ACC-D5" + tag));
        String device = Tokens.device("st-marys");
        refused.forEach((reason, dicom) -> uploadDicom(device, dicom).post("/api/images").then().statusCode(422)
                .contentType("application/problem+json").body("status", equalTo(422))
                .body("detail", org.hamcrest.Matchers.containsString(reason)));
        // the same minimum side, in the same words, for PNG
        var onePixelPng = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(1, 1, java.awt.image.BufferedImage.TYPE_BYTE_GRAY),
                "png", onePixelPng);
        upload(device, onePixelPng.toByteArray(), "image/png", study()).post("/api/images").then().statusCode(422)
                .body("detail", org.hamcrest.Matchers.containsString("1x1 pixels; accepted sides are 64 to 8192 pixels"));

        var answer = stow(device, List.copyOf(refused.values()), 409);
        assertEquals(java.util.Collections.nCopies(refused.size(), 0xC000),
                answer.getList("'00081198'.Value.'00081197'.Value.flatten()"), "each refused: cannot understand");
        for (int i = 1; i <= refused.size(); i++) {
            String study = "ACC-D" + i + tag;
            assertEquals(0, as(ST_MARYS, () -> Analysis.count("studyId", study)), "no row for " + study);
        }
        for (byte[] b : refused.values()) {
            assertFalse(store.exists(ST_MARYS, ObjectStore.imageKey(ST_MARYS, sha(b))), "no object");
        }
    }

    @Test
    void corruptAndPolyglotPngAndJpegAreRefused() throws Exception {
        // Issue 12: PNG without IEND or with bad CRCs, JPEG with a ZIP appended, were accepted with 202 and served.
        byte[] jpeg = TestImages.bytes(TestImages.files("PNEUMONIA", 2).get(1));
        var zip = new java.io.ByteArrayOutputStream();
        try (var z = new java.util.zip.ZipOutputStream(zip)) {
            z.putNextEntry(new java.util.zip.ZipEntry("index.html"));
            z.write(("<script>alert('" + UUID.randomUUID() + "')</script>").getBytes());
            z.closeEntry();
        }
        byte[] polyglot = java.util.Arrays.copyOf(jpeg, jpeg.length + zip.size());
        System.arraycopy(zip.toByteArray(), 0, polyglot, jpeg.length, zip.size());
        var img = new java.awt.image.BufferedImage(128, 128, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        var rnd = new java.util.Random();
        for (int i = 0; i < 128 * 128; i++) img.getRaster().getDataBuffer().setElem(i, rnd.nextInt(256));
        var out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", out);
        byte[] png = out.toByteArray();
        byte[] noIend = java.util.Arrays.copyOf(png, png.length - 12);
        byte[] badCrc = png.clone();
        badCrc[png.length - 20] ^= 0x40; // inside the IDAT data
        String device = Tokens.device("st-marys");
        String study = study();
        upload(device, polyglot, "image/jpeg", study).post("/api/images").then().statusCode(422)
                .contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("after its end (EOI)"));
        upload(device, noIend, "image/png", study).post("/api/images").then().statusCode(422)
                .body("detail", org.hamcrest.Matchers.containsString("no IEND"));
        upload(device, badCrc, "image/png", study).post("/api/images").then().statusCode(422)
                .body("detail", org.hamcrest.Matchers.containsString("CRC"));
        // a CMYK film decoded washed out and scored 0.9993: refused, 422, from its frame header
        byte[] cmyk = TestImages.cmykJpeg(160);
        upload(device, cmyk, "image/jpeg", study).post("/api/images").then().statusCode(422)
                .contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("4 components (CMYK or YCCK)"));
        assertEquals(0, as(ST_MARYS, () -> Analysis.count("studyId", study)), "no row");
        for (byte[] b : new byte[][]{polyglot, noIend, badCrc, cmyk}) {
            assertFalse(store.exists(ST_MARYS, ObjectStore.imageKey(ST_MARYS, sha(b))), "no object");
        }
    }

    @Test
    void storedFieldLimitsAreTheColumnsOfTheSchema() {
        // StoredFields (common) checks what the Flyway schema (persistence) holds: the two must not drift apart
        Map<String, Integer> widths = new java.util.HashMap<>();
        as(ST_MARYS, () -> Analysis.getEntityManager().createNativeQuery("""
                select column_name, character_maximum_length from information_schema.columns
                where table_name = 'analysis' and character_maximum_length is not null""").getResultList())
                .forEach(r -> widths.put((String) ((Object[]) r)[0], ((Number) ((Object[]) r)[1]).intValue()));
        Map<String, Integer> expected = Map.of("tenant", StoredFields.TENANT, "study_id", StoredFields.STUDY_ID,
                "patient_ref", StoredFields.PATIENT_REF, "referring_physician", StoredFields.REFERRING_PHYSICIAN,
                "image_key", StoredFields.IMAGE_KEY, "content_type", StoredFields.CONTENT_TYPE,
                "study_instance_uid", StoredFields.UID, "sop_instance_uid", StoredFields.UID,
                "view_position", StoredFields.VIEW_POSITION, "image_sha256", 64);
        expected.forEach((column, width) -> assertEquals(width, widths.get(column), column));
        String age = as(ST_MARYS, () -> (String) Analysis.getEntityManager().createNativeQuery(
                "select pg_get_constraintdef(oid) from pg_constraint where conname = 'analysis_patient_age_ck'")
                .getSingleResult());
        assertTrue(age.contains(">= 0") && age.contains("<= " + StoredFields.MAX_AGE_YEARS), age);
    }

    @Test
    void healthChecksRealDependencies() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.status", org.hamcrest.Matchers.everyItem(equalTo("UP")))
                .body("checks.name", org.hamcrest.Matchers.hasItems("object-store", "identity-provider"));
        given().get("/q/openapi").then().statusCode(200);
    }
}
