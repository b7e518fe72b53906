package io.alveolus.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import io.alveolus.common.testing.TestDicom;
import io.alveolus.common.testing.TestImages;
import io.alveolus.common.testing.Tokens;
import io.alveolus.interop.report.Part10;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The hospital round trip (issue 15) across the real services: dcmtk's storescu as the modality sends a chest X-ray
 * to St Mary's AE title on ingest's C-STORE SCP; the worker analyses it; results-service sends the TID 1500 SR and
 * the heat-map Secondary Capture to St Mary's PACS, Orthanc (stack/up.sh), where they are read back through its
 * REST API in the same patient and study as the image.
 */
class HospitalRoundTripIT {
    static final int DIMSE_PORT = 18296;
    static final String ORTHANC = "http://127.0.0.1:18042";
    /** The stack's second Orthanc: Northside's own PACS, reached by C-STORE (AE NSPACS). */
    static final String NORTHSIDE_ORTHANC = "http://127.0.0.1:18043";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static ServiceProcess ingest;
    static ServiceProcess results;
    static ServiceProcess worker;

    @BeforeAll
    static void start() throws Exception {
        ingest = new ServiceProcess("ingest-service", 18291, "alveolus.dimse.port=" + DIMSE_PORT).start();
        results = new ServiceProcess("results-service", 18293).start();
        worker = new ServiceProcess("inference-worker", 18292).start();
    }

    @AfterAll
    static void stop() throws Exception {
        ServiceProcess.closeAll(worker, ingest, results);
    }

    /** storescu's exit status sending {@code file} (JPEG baseline: -xy proposes it) to {@code calledAe} on ingest's SCP. */
    static int storescu(Path file, String calledAe) throws Exception {
        Process p = new ProcessBuilder("storescu", "-xy", "-aet", "MODALITY1", "-aec", calledAe, "127.0.0.1",
                String.valueOf(DIMSE_PORT), file.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("storescu did not finish in 60 s");
        }
        return p.exitValue();
    }

    static Path instance(String tag, String studyUid, String sopUid) throws Exception {
        byte[] dicom = TestDicom.wrap(TestDicom.greyJpeg(TestImages.files("PNEUMONIA", 2).get(1)), "(0008,0060)=DX",
                "(0018,0015)=CHEST", "(0018,5101)=PA", "(0020,000D)=" + studyUid, "(0008,0018)=" + sopUid,
                "(0008,0050)=ACC-" + tag, "(0010,0020)=MRN-" + tag, "(0010,0010)=Round^Trip");
        Path f = Files.createTempFile("roundtrip-", ".dcm");
        Files.write(f, dicom);
        return f;
    }

    static String status(String tenant, String sopUid) throws Exception {
        try (var c = DriverManager.getConnection(Stack.JDBC, "alveolus", "alveolus");
             var st = c.prepareStatement("select status from analysis where tenant = ? and sop_instance_uid = ?")) {
            st.setString(1, tenant);
            st.setString(2, sopUid);
            try (var rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Orthanc's instances of a study, read back as DICOM. */
    static List<AttributeList> studyInPacs(String studyUid) throws Exception {
        return studyInPacs(ORTHANC, studyUid);
    }

    static List<AttributeList> studyInPacs(String pacs, String studyUid) throws Exception {
        var r = HTTP.send(HttpRequest.newBuilder(URI.create(pacs + "/tools/find")).POST(HttpRequest.BodyPublishers
                        .ofString("{\"Level\":\"Instance\",\"Query\":{\"StudyInstanceUID\":\"" + studyUid + "\"}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), "Orthanc (stack/up.sh) answers: " + r.body());
        List<AttributeList> out = new ArrayList<>();
        for (JsonNode id : JSON.readTree(r.body())) {
            var file = HTTP.send(HttpRequest.newBuilder(URI.create(pacs + "/instances/" + id.asText() + "/file"))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            out.add(Part10.read(file.body()));
        }
        return out;
    }

    static String text(AttributeList l, com.pixelmed.dicom.AttributeTag t) {
        return Attribute.getSingleStringValueOrEmptyString(l, t);
    }

    @Test
    void aModalitysImageComesBackToThePacsAsSrAndScInItsOwnStudy() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String studyUid = "2.25." + new java.math.BigInteger(UUID.randomUUID().toString().replace("-", ""), 16);
        String sopUid = studyUid + ".1.1";
        Path file = instance(tag, studyUid, sopUid);

        assertNotEquals(0, storescu(file, "NOT_A_TENANT"), "an unknown called AE title is rejected");
        assertEquals(0, storescu(file, "ALVEOLUS_STM"), "St Mary's AE title takes the image");

        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!"COMPLETED".equals(status("st-marys", sopUid)) && System.nanoTime() < end) {
            Thread.sleep(300);
        }
        assertEquals("COMPLETED", status("st-marys", sopUid), "analysed like any other image");

        // within seconds, the PACS holds the SR and the SC beside the image's study, under the same patient
        List<AttributeList> objects = List.of();
        end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            objects = studyInPacs(studyUid);
            if (objects.size() >= 2) {
                break;
            }
            Thread.sleep(300);
        }
        AttributeList sr = objects.stream().filter(o -> "SR".equals(text(o, TagFromName.Modality))).findFirst()
                .orElseThrow(() -> new AssertionError("no SR in the PACS for study " + studyUid));
        AttributeList sc = objects.stream().filter(o -> "1.2.840.10008.5.1.4.1.1.7".equals(text(o, TagFromName.SOPClassUID))
                && "OT".equals(text(o, TagFromName.Modality))).findFirst()
                .orElseThrow(() -> new AssertionError("no Secondary Capture in the PACS for study " + studyUid));
        for (AttributeList o : List.of(sr, sc)) {
            assertEquals("MRN-" + tag, text(o, TagFromName.PatientID), "the hospital's own patient id, from the original");
            assertEquals(studyUid, text(o, TagFromName.StudyInstanceUID));
        }
        String content = sr.toString();
        assertTrue(content.contains("233604007"), "the finding (SCT Pneumonia) is in the report");
        assertTrue(content.contains("pneumonia-v"), "with the algorithm version");
        assertTrue(content.contains(sopUid), "referencing the source image");
        assertTrue(content.contains("PNEUMONIA-PROB"), "and the probability");
        assertEquals("YES", text(sc, TagFromName.BurnedInAnnotation));

        // the tenant admin sees the deliveries
        given().auth().oauth2(Tokens.user("adam")).get(results.url() + "/api/deliveries").then().statusCode(200)
                .body("findAll { it.state == 'DELIVERED' }.size()", org.hamcrest.Matchers.greaterThanOrEqualTo(2));

        // Northside's AE stores under Northside, whose results go to its own PACS (the second Orthanc, by C-STORE)
        // and never to St Mary's
        String nsStudy = studyUid + ".9";
        String nsSop = nsStudy + ".1.1";
        assertEquals(0, storescu(instance(tag + "n", nsStudy, nsSop), "ALVEOLUS_NSG"));
        end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!"COMPLETED".equals(status("northside", nsSop)) && System.nanoTime() < end) {
            Thread.sleep(300);
        }
        assertEquals("COMPLETED", status("northside", nsSop));
        assertEquals(null, status("st-marys", nsSop), "stored under the tenant of the called AE title only");
        end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<AttributeList> inNorthside = studyInPacs(NORTHSIDE_ORTHANC, nsStudy);
        while (inNorthside.stream().noneMatch(o -> "SR".equals(text(o, TagFromName.Modality)))
                && System.nanoTime() < end) {
            Thread.sleep(500);
            inNorthside = studyInPacs(NORTHSIDE_ORTHANC, nsStudy);
        }
        AttributeList nsSr = inNorthside.stream().filter(o -> "SR".equals(text(o, TagFromName.Modality))).findFirst()
                .orElseThrow(() -> new AssertionError("no SR for Northside's study in Northside's PACS"));
        assertEquals("MRN-" + tag + "n", text(nsSr, TagFromName.PatientID), "under Northside's own patient");
        assertTrue(nsSr.toString().contains(nsSop), "referencing Northside's image");
        assertEquals(List.of(), studyInPacs(nsStudy).stream().map(o -> text(o, TagFromName.SOPInstanceUID)).toList(),
                "another tenant's results never go to St Mary's PACS");
        assertEquals(List.of(), studyInPacs(NORTHSIDE_ORTHANC, studyUid).stream()
                .map(o -> text(o, TagFromName.SOPInstanceUID)).toList(), "nor St Mary's to Northside's");
    }
}
