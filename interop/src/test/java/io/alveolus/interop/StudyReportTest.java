package io.alveolus.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.StructuredReport;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.validate.DicomSRValidator;
import io.alveolus.interop.AnalysisResult.Status;
import io.alveolus.interop.report.AiFinding;
import io.alveolus.interop.report.MeasurementReport;
import io.alveolus.interop.report.ResultUids;
import io.alveolus.interop.report.SourceStudy;
import io.alveolus.interop.report.StudyReport;
import io.alveolus.interop.report.StudyResult;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The study-level result (issue 15): the rule over a study's images, and its TID 1500 SR valid for dciodvfy and
 * PixelMed's SR validator, referencing every analysed image and saying why the others were not analysed.
 */
class StudyReportTest {

    private static final Instant WHEN = Instant.parse("2024-03-11T10:20:30.123Z");
    private static final String MODEL = "pneumonia-v3";
    private static final String TENANT = "st-marys";

    private static SourceStudy pa;
    private static SourceStudy repeat;
    private static SourceStudy lateral;

    @BeforeAll
    static void fixtures() throws Exception {
        pa = SourceStudy.from(ResultObjects.fullSource(Fixtures.get()));
        repeat = other(pa, ".101", pa.seriesInstanceUid());
        lateral = other(pa, ".102", pa.seriesInstanceUid() + ".2");
    }

    /** Another image of the same patient and study. */
    static SourceStudy other(SourceStudy s, String suffix, String series) {
        return new SourceStudy(s.patientName(), s.patientId(), s.issuerOfPatientId(), s.patientBirthDate(),
                s.patientSex(), s.studyInstanceUid(), s.studyDate(), s.studyTime(), s.studyId(), s.accessionNumber(),
                s.referringPhysicianName(), s.sopClassUid(), s.sopInstanceUid() + suffix, series);
    }

    static StudyResult.Image image(SourceStudy s, AiFinding f) {
        return new StudyResult.Image(s, f);
    }

    static AttributeList roundTrip(AttributeList sr, String name) throws Exception {
        Path file = ResultObjects.writePart10(sr, ResultObjects.targetDir().resolve(name + ".dcm"));
        ResultObjects.dciodvfy(file, "Comprehensive3DSR");
        return ResultObjects.read(file);
    }

    @Test
    void theStudyResultIsItsMostSuspiciousAnalysedImageAndReferencesEveryAnalysedOne() throws Exception {
        StudyResult study = StudyResult.of(List.of(
                image(pa, AiFinding.completed(0.31, 0.24, MODEL, WHEN)),
                image(repeat, AiFinding.completed(0.12, 0.24, MODEL, WHEN)),
                image(lateral, AiFinding.notApplicable("not a frontal chest radiograph (ViewPosition LL)", MODEL,
                        WHEN))), 0, MODEL, WHEN);
        assertEquals(Status.COMPLETED, study.finding().status());
        assertTrue(study.finding().positive());
        assertEquals(0.31, study.finding().probability(), 1e-12);
        assertEquals(2, study.analysed().size());

        AttributeList sr = roundTrip(StudyReport.build(TENANT, study, WHEN), "study-sr-positive");
        assertEquals(pa.studyInstanceUid(), ResultObjects.string(sr, TagFromName.StudyInstanceUID));
        assertEquals(pa.patientId(), ResultObjects.string(sr, TagFromName.PatientID));
        assertEquals(String.valueOf(StudyReport.SERIES_NUMBER), ResultObjects.string(sr, TagFromName.SeriesNumber));
        assertEquals(ResultUids.studySeries(TENANT, pa.studyInstanceUid(), MODEL),
                ResultObjects.string(sr, TagFromName.SeriesInstanceUID));
        assertEquals("UNVERIFIED", ResultObjects.string(sr, TagFromName.VerificationFlag));

        ContentItem root = (ContentItem) new StructuredReport(sr).getRoot();
        ContentItem group = root.getNamedChild("DCM", "126010").getNamedChild("DCM", "125007");
        assertEquals("Pneumonia classification (study)", MeasurementReportTest.textOf(group, "112039", "DCM"));
        assertEquals("52101004", MeasurementReportTest.codeValueOf(group, "233604007", "SCT"), "present");
        assertEquals(0.31, MeasurementReportTest.numberOf(group, MeasurementReport.CODE_PROBABILITY), 1e-9);
        assertEquals(List.of(pa.sopInstanceUid(), repeat.sopInstanceUid()),
                MeasurementReportTest.referencedInstances(root), "both analysed images, not the lateral");
        assertEquals(List.of(pa.sopInstanceUid(), repeat.sopInstanceUid()),
                MeasurementReportTest.evidenceInstances(sr));
        String text = sr.toString();
        assertTrue(text.contains("Image " + lateral.sopInstanceUid() + ": Not analysed: not a frontal"), text);
        assertTrue(text.contains("2 of 3 images analysed"));
    }

    @Test
    void aNegativeStudyNeedsEveryImageReadAndAStudyWithoutAnalysedImagesIsNeverNegative() throws Exception {
        StudyResult incomplete = StudyResult.of(List.of(
                image(pa, AiFinding.completed(0.05, 0.24, MODEL, WHEN)),
                image(repeat, AiFinding.failed("inference timed out", MODEL, WHEN))), 0, MODEL, WHEN);
        assertEquals(Status.FAILED, incomplete.finding().status());
        assertNull(incomplete.finding().positive(), "no negative study resting on half of it");
        assertTrue(incomplete.finding().noResultText().contains("incomplete"));

        StudyResult pending = StudyResult.of(List.of(image(pa, AiFinding.completed(0.05, 0.24, MODEL, WHEN))), 1,
                MODEL, WHEN);
        assertEquals(Status.FAILED, pending.finding().status());

        // positive on one image: present for the study even with a failed one beside it
        StudyResult positive = StudyResult.of(List.of(
                image(pa, AiFinding.completed(0.5, 0.24, MODEL, WHEN)),
                image(repeat, AiFinding.failed("inference timed out", MODEL, WHEN))), 0, MODEL, WHEN);
        assertTrue(positive.finding().positive());

        StudyResult none = StudyResult.of(List.of(image(lateral, AiFinding.notApplicable("lateral", MODEL, WHEN))),
                0, MODEL, WHEN);
        assertEquals(Status.NOT_APPLICABLE, none.finding().status());

        for (var s : List.of(incomplete, none)) {
            AttributeList sr = roundTrip(StudyReport.build(TENANT, s, WHEN), "study-sr-" + s.finding().status());
            ContentItem root = (ContentItem) new StructuredReport(sr).getRoot();
            assertNull(root.getNamedChild("DCM", "126010"), "no measurement: no result to read as negative");
            assertTrue(sr.toString().contains(s.finding().noResultText()));
        }
    }

    @Test
    void aStudyThatGrowsIsANewInstanceInTheSameSeriesAndAResendIsTheSameOne() {
        List<StudyResult.Image> one = List.of(image(pa, AiFinding.completed(0.1, 0.24, MODEL, WHEN)));
        List<StudyResult.Image> two = List.of(one.get(0), image(repeat, AiFinding.completed(0.2, 0.24, MODEL, WHEN)));
        AttributeList a = StudyReport.build(TENANT, StudyResult.of(one, 0, MODEL, WHEN), WHEN);
        AttributeList again = StudyReport.build(TENANT, StudyResult.of(one, 0, MODEL, WHEN), WHEN.plusSeconds(9));
        AttributeList grown = StudyReport.build(TENANT, StudyResult.of(two, 0, MODEL, WHEN), WHEN);
        AttributeList otherTenant = StudyReport.build("northside", StudyResult.of(one, 0, MODEL, WHEN), WHEN);
        assertEquals(ResultObjects.sopInstance(a), ResultObjects.sopInstance(again));
        assertNotEquals(ResultObjects.sopInstance(a), ResultObjects.sopInstance(grown));
        assertEquals(ResultObjects.string(a, TagFromName.SeriesInstanceUID),
                ResultObjects.string(grown, TagFromName.SeriesInstanceUID));
        assertNotEquals(ResultObjects.sopInstance(a), ResultObjects.sopInstance(otherTenant));
        assertThrows(IllegalArgumentException.class, () -> StudyResult.of(List.of(image(pa,
                AiFinding.completed(0.1, 0.24, "pneumonia-v2", WHEN))), 0, MODEL, WHEN));
    }

    @Test
    void passesPixelMedsSrValidator() throws Exception {
        StudyResult study = StudyResult.of(List.of(
                image(pa, AiFinding.completed(0.31, 0.24, MODEL, WHEN)),
                image(lateral, AiFinding.notApplicable("lateral", MODEL, WHEN))), 0, MODEL, WHEN);
        String report = new DicomSRValidator().validate(StudyReport.build(TENANT, study, WHEN));
        System.out.println("DicomSRValidator (study):\n" + report);
        // the one known CID 100 error of the per-image report (MeasurementReportTest), for the same reason
        List<String> errors = report.lines().filter(l -> l.startsWith("Error"))
                .filter(l -> !(l.contains("(121058,DCM,\"Procedure reported\")")
                        && l.endsWith("Code (399208008,SCT,\"Plain chest X-ray\") not found in context group 100")))
                .toList();
        assertTrue(report.contains("Found Root Template TID_1500"), report);
        assertTrue(errors.isEmpty(), String.join("\n", errors));
    }
}
