package io.alveolus.e2e;

import ca.uhn.fhir.validation.ResultSeverityEnum;
import io.alveolus.common.testing.TestDicom;
import io.alveolus.common.testing.TestImages;
import io.alveolus.common.testing.Tokens;
import io.alveolus.interop.FhirReport;
import io.restassured.path.json.JsonPath;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DICOM in through STOW-RS and FHIR out, across the real services. Fixtures are made from a real X-ray with
 * Debian's dcmtk ({@link TestDicom}; installed by stack/install-interop-deps.sh).
 */
class DicomFhirIT {
    static ServiceProcess ingest;
    static ServiceProcess results;
    static ServiceProcess worker;

    @BeforeAll
    static void start() throws Exception {
        ingest = new ServiceProcess("ingest-service", 18291).start();
        results = new ServiceProcess("results-service", 18293).start();
        worker = new ServiceProcess("inference-worker", 18292).start();
    }

    @AfterAll
    static void stop() throws Exception {
        ServiceProcess.closeAll(worker, ingest, results);
    }

    /** A grey JPEG of a real X-ray, and the same JPEG wrapped as a DICOM instance with the given view. */
    static byte[][] fixture(Path source, String name, String view, String modality) {
        byte[] jpeg = TestDicom.greyJpeg(source);
        return new byte[][]{jpeg, TestDicom.wrap(jpeg, "(0008,0060)=" + modality, "(0018,5101)=" + view,
                "(0008,0050)=ACC-" + name, "(0010,0020)=MRN-" + name)};
    }

    static String stow(String token, List<byte[]> parts, int expectedStatus) throws Exception {
        String boundary = "alveolus-" + UUID.randomUUID();
        return given().auth().oauth2(token)
                .contentType("multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .body(TestDicom.multipartRelated(boundary, parts)).post(ingest.url() + "/api/dicomweb/studies")
                .then().statusCode(expectedStatus).contentType("application/dicom+json").extract().asString();
    }

    static JsonPath awaitDone(String token, String id) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < end) {
            JsonPath j = given().auth().oauth2(token).get(results.url() + "/api/analyses/" + id).then().statusCode(200)
                    .extract().jsonPath();
            if (List.of("COMPLETED", "FAILED").contains(j.getString("status"))) {
                return j;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("analysis " + id + " not done in time");
    }

    @Test
    void stowInstancesAreAnalysedLikeTheirSourceAndReportedInFhir() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Path source = TestImages.files("PNEUMONIA", 3).get(2);
        byte[][] good = fixture(source, "pa-" + tag, "PA", "DX");
        byte[][] lateral = fixture(source, "ll-" + tag, "LL", "DX");
        byte[][] mr = fixture(source, "mr-" + tag, "PA", "MR");
        byte[] garbage = ("not dicom " + tag).getBytes();
        String device = Tokens.device("st-marys");

        // the source JPEG through the plain upload, the same pixels as DICOM through STOW-RS with bad company
        String jpegId = given().auth().oauth2(device).multiPart("file", "x.jpg", good[0], "image/jpeg")
                .multiPart("studyId", "JPEG-" + tag).multiPart("patientRef", "PSEUDO-D")
                .post(ingest.url() + "/api/images").then().statusCode(202).extract().path("analysisId");
        String response = stow(device, List.of(good[1], lateral[1], mr[1], garbage), 202);
        JsonPath stow = JsonPath.from(response);
        List<Object> referenced = stow.getList("'00081199'.Value");
        List<Object> failed = stow.getList("'00081198'.Value");
        assertEquals(1, referenced.size(), response);
        assertEquals(3, failed.size(), response);
        String retrieve = stow.getString("'00081199'.Value[0].'00081190'.Value[0]");
        String dicomId = retrieve.substring(retrieve.lastIndexOf('/') + 1);

        String rachel = Tokens.user("rachel");
        JsonPath fromJpeg = awaitDone(rachel, jpegId);
        JsonPath fromDicom = awaitDone(rachel, dicomId);
        assertEquals("COMPLETED", fromDicom.getString("status"));
        assertEquals("ACC-pa-" + tag, fromDicom.getString("studyId"), "accession taken from the file");
        assertTrue(fromDicom.getString("patientRef").startsWith("PID-"), "patient id stored only as a keyed hash");
        assertTrue(!fromDicom.getString("patientRef").contains("MRN"));
        assertEquals(fromJpeg.getDouble("probability"), fromDicom.getDouble("probability"), 1e-3,
                "the model reads the DICOM like its source image");

        // the same instance again is the same analysis, never a second one (and the first stays)
        String again = stow(device, List.of(good[1]), 200);
        assertTrue(again.contains(dicomId), again);
        given().auth().oauth2(rachel).get(results.url() + "/api/analyses/" + dicomId).then().statusCode(200);

        // FHIR out: valid R4, tenant-scoped
        String fhir = given().auth().oauth2(rachel).get(results.url() + "/api/analyses/" + dicomId + "/fhir")
                .then().statusCode(200).contentType("application/fhir+json").extract().asString();
        assertValidR4(fhir);
        assertTrue(fhir.contains("DiagnosticReport") && fhir.contains("Observation"));
        assertTrue(!fhir.contains("MRN-"), "no raw patient id in FHIR");
        given().auth().oauth2(Tokens.user("nora")).get(results.url() + "/api/analyses/" + dicomId + "/fhir")
                .then().statusCode(404);
    }

    @Test
    void aJpegAnalysisHasAValidFhirReportWithoutADicomStudy() throws Exception {
        // Issue 12: every PNG/JPEG analysis answered 500 here (NullPointerException on the Study Instance UID)
        String id = given().auth().oauth2(Tokens.device("st-marys"))
                .multiPart("file", "x.jpg", TestImages.bytes(TestImages.files("NORMAL", 8).get(7)), "image/jpeg")
                .multiPart("studyId", "JPEG-FHIR-" + UUID.randomUUID().toString().substring(0, 8))
                .multiPart("patientRef", "PSEUDO-F").post(ingest.url() + "/api/images").then().statusCode(202)
                .extract().path("analysisId");
        String rachel = Tokens.user("rachel");
        assertEquals("COMPLETED", awaitDone(rachel, id).getString("status"));
        String fhir = given().auth().oauth2(rachel).get(results.url() + "/api/analyses/" + id + "/fhir")
                .then().statusCode(200).contentType("application/fhir+json").extract().asString();
        assertValidR4(fhir);
        Bundle bundle = FhirReport.fhirContext().newJsonParser().parseResource(Bundle.class, fhir);
        var report = (org.hl7.fhir.r4.model.DiagnosticReport) bundle.getEntryFirstRep().getResource();
        assertTrue(report.getImagingStudy().isEmpty(), "no ImagingStudy: a JPEG upload has no DICOM study");
        assertTrue(fhir.contains("pneumonia-probability") && fhir.contains("Media"), fhir);
    }

    /** The bundle is valid FHIR R4 by HAPI's instance validator (no error, no fatal message). */
    static void assertValidR4(String fhir) {
        var ctx = FhirReport.fhirContext();
        Bundle bundle = ctx.newJsonParser().parseResource(Bundle.class, fhir);
        var chain = new ValidationSupportChain(new DefaultProfileValidationSupport(ctx),
                new CommonCodeSystemsTerminologyService(ctx), new InMemoryTerminologyServerValidationSupport(ctx),
                new SnapshotGeneratingValidationSupport(ctx));
        var result = ctx.newValidator().registerValidatorModule(new FhirInstanceValidator(chain)).validateWithResult(bundle);
        var errors = result.getMessages().stream().filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR
                || m.getSeverity() == ResultSeverityEnum.FATAL).map(m -> m.getLocationString() + " " + m.getMessage()).toList();
        assertTrue(errors.isEmpty(), String.join("\n", errors));
    }
}
