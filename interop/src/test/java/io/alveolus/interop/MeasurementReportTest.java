package io.alveolus.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.StructuredReport;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.validate.DicomSRValidator;
import io.alveolus.interop.report.AiFinding;
import io.alveolus.interop.report.MeasurementReport;
import io.alveolus.interop.report.ResultUids;
import io.alveolus.interop.report.SourceStudy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The AI result as a TID 1500 Comprehensive 3D SR: valid for dciodvfy and PixelMed's SR validator, filed under the
 * source patient and study, carrying the finding, the probability and the model, and carrying no result at all when
 * there is none.
 */
class MeasurementReportTest {

    private static final Instant WHEN = Instant.parse("2024-03-11T10:20:30.123Z");
    private static final String MODEL = "pneumonia-v3";

    private static Fixtures fx;
    private static AttributeList fullSource;
    private static AttributeList sparseSource;

    @BeforeAll
    static void fixtures() throws Exception {
        fx = Fixtures.get();
        fullSource = ResultObjects.fullSource(fx);
        sparseSource = ResultObjects.sparseSource(fx);
    }

    private static AttributeList build(AttributeList source, AiFinding finding, String analysisId) {
        return MeasurementReport.build(SourceStudy.from(source), finding,
                ResultUids.of(analysisId, finding.modelVersion()), WHEN);
    }

    /** Writes, re-reads from the Part 10 file (what a PACS receives) and runs dciodvfy on it. */
    private static AttributeList roundTrip(AttributeList sr, String name) throws Exception {
        Path file = ResultObjects.writePart10(sr, ResultObjects.targetDir().resolve(name + ".dcm"));
        ResultObjects.dciodvfy(file, "Comprehensive3DSR");
        return ResultObjects.read(file);
    }

    @Test
    void positiveResultIsValidAndCarriesTheFinding() throws Exception {
        AiFinding finding = AiFinding.completed(0.8734, 0.42, MODEL, WHEN);
        AttributeList sr = roundTrip(build(fullSource, finding, "an-1"), "sr-positive");

        assertEquals(MeasurementReport.COMPREHENSIVE_3D_SR, ResultObjects.string(sr, TagFromName.SOPClassUID));
        assertEquals(Fixtures.PATIENT_ID, ResultObjects.string(sr, TagFromName.PatientID));
        assertEquals(ResultObjects.PATIENT_NAME, ResultObjects.string(sr, TagFromName.PatientName));
        assertEquals("HOSP-A", ResultObjects.string(sr, TagFromName.IssuerOfPatientID));
        assertEquals(Fixtures.STUDY_UID, ResultObjects.string(sr, TagFromName.StudyInstanceUID));
        assertEquals(ResultObjects.STUDY_DATE, ResultObjects.string(sr, TagFromName.StudyDate));
        assertEquals(Fixtures.ACCESSION, ResultObjects.string(sr, TagFromName.AccessionNumber));
        assertEquals("ISO_IR 192", ResultObjects.string(sr, TagFromName.SpecificCharacterSet));
        assertEquals("SR", ResultObjects.string(sr, TagFromName.Modality));
        assertEquals("UNVERIFIED", ResultObjects.string(sr, TagFromName.VerificationFlag));
        assertEquals("COMPLETE", ResultObjects.string(sr, TagFromName.CompletionFlag));
        assertEquals("20240311", ResultObjects.string(sr, TagFromName.ContentDate));
        // a new series of its own, never the radiograph's
        assertNotEquals(Fixtures.SERIES_UID, ResultObjects.string(sr, TagFromName.SeriesInstanceUID));
        assertEquals(ResultUids.of("an-1", MODEL).srSeries(), ResultObjects.string(sr, TagFromName.SeriesInstanceUID));
        assertEquals(ResultUids.of("an-1", MODEL).srInstance(), ResultObjects.sopInstance(sr));

        ContentItem root = (ContentItem) new StructuredReport(sr).getRoot();
        assertEquals("126000", root.getConceptNameCodeValue());
        assertEquals("1500", templateId(sr));
        assertEquals(MODEL, textOf(root, "121015", "DCM"));
        assertEquals("121007", codeValueOf(root, "121005", "DCM"));
        assertEquals(ResultUids.deviceObserver(MODEL), textOf(root, "121012", "DCM"));

        ContentItem group = root.getNamedChild("DCM", "126010").getNamedChild("DCM", "125007");
        assertNotNull(group, "measurement group");
        assertEquals("233604007", codeValueOf(group, "121071", "DCM"));
        assertEquals("39607008", codeValueOf(group, "363698007", "SCT"));
        assertEquals(MODEL, textOf(group, "111003", "DCM"));
        assertEquals(AiFinding.DEFAULT_ALGORITHM_NAME, textOf(group, "111001", "DCM"));
        assertEquals(0.8734, numberOf(group, MeasurementReport.CODE_PROBABILITY), 1e-9);
        assertEquals(0.42, numberOf(group, MeasurementReport.CODE_THRESHOLD), 1e-9);
        assertEquals("52101004", codeValueOf(group, "233604007", "SCT"), "present at the threshold");

        // the source image, referenced in the tree and in the evidence
        assertTrue(referencedInstances(root).contains(Fixtures.SOP_UID), "IMAGE item references the source");
        AttributeList evidence = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(sr,
                TagFromName.CurrentRequestedProcedureEvidenceSequence);
        assertEquals(Fixtures.STUDY_UID, ResultObjects.string(evidence, TagFromName.StudyInstanceUID));
        AttributeList series = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(evidence,
                TagFromName.ReferencedSeriesSequence);
        assertEquals(Fixtures.SERIES_UID, ResultObjects.string(series, TagFromName.SeriesInstanceUID));
        AttributeList sop = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(series,
                TagFromName.ReferencedSOPSequence);
        assertEquals(Fixtures.SOP_UID, ResultObjects.string(sop, TagFromName.ReferencedSOPInstanceUID));
        assertEquals(Fixtures.DX_FOR_PRESENTATION, ResultObjects.string(sop, TagFromName.ReferencedSOPClassUID));
    }

    @Test
    void negativeResultSaysAbsent() throws Exception {
        AiFinding finding = AiFinding.completed(0.1, 0.42, MODEL, WHEN);
        AttributeList sr = roundTrip(build(fullSource, finding, "an-2"), "sr-negative");
        ContentItem group = ((ContentItem) new StructuredReport(sr).getRoot())
                .getNamedChild("DCM", "126010").getNamedChild("DCM", "125007");
        assertEquals("272519000", codeValueOf(group, "233604007", "SCT"));
        assertEquals(0.1, numberOf(group, MeasurementReport.CODE_PROBABILITY), 1e-9);
    }

    @Test
    void notApplicableHasNoProbabilityNoPresenceAndSaysWhy() throws Exception {
        AiFinding finding = AiFinding.notApplicable("the image is not a frontal chest radiograph", MODEL, WHEN);
        AttributeList sr = roundTrip(build(sparseSource, finding, "an-3"), "sr-not-applicable");
        ContentItem root = (ContentItem) new StructuredReport(sr).getRoot();
        List<ContentItem> all = flatten(root);
        assertTrue(all.stream().noneMatch(i -> "NUM".equals(i.getValueType())), "no NUM at all");
        assertTrue(all.stream().noneMatch(i -> "233604007".equals(i.getConceptNameCodeValue())), "no presence");
        assertTrue(all.stream().noneMatch(i -> "121071".equals(i.getConceptNameCodeValue())), "no finding code");
        assertNull(root.getNamedChild("DCM", "126010"), "no Imaging Measurements");
        ContentItem qualitative = root.getNamedChild("UMLS", "C0034375");
        assertEquals("Not analysed: the image is not a frontal chest radiograph", textOf(qualitative, "121106", "DCM"));
        assertEquals(MODEL, textOf(root, "121015", "DCM"), "the model version is still named");
        // still filed under the same patient and study, pointing at the image it refused
        assertEquals(Fixtures.PATIENT_ID, ResultObjects.string(sr, TagFromName.PatientID));
        assertEquals(Fixtures.STUDY_UID, ResultObjects.string(sr, TagFromName.StudyInstanceUID));
        assertTrue(evidenceInstances(sr).contains(Fixtures.SOP_UID));
        // the sparse source's absent type 2 attributes are present and empty, as the IOD requires
        for (var tag : List.of(TagFromName.StudyDate, TagFromName.StudyTime, TagFromName.StudyID,
                TagFromName.PatientBirthDate, TagFromName.PatientSex)) {
            Attribute a = sr.get(tag);
            assertNotNull(a, tag + " present");
            assertEquals(0, a.getVM(), tag + " empty");
        }
        assertNull(sr.get(TagFromName.IssuerOfPatientID), "type 3 left out when the source has none");
    }

    @Test
    void failedSaysItFailed() throws Exception {
        AiFinding finding = AiFinding.failed("inference timed out", MODEL, WHEN);
        AttributeList sr = roundTrip(build(fullSource, finding, "an-4"), "sr-failed");
        ContentItem root = (ContentItem) new StructuredReport(sr).getRoot();
        assertTrue(flatten(root).stream().noneMatch(i -> "NUM".equals(i.getValueType())));
        assertEquals("Analysis failed: inference timed out",
                textOf(root.getNamedChild("UMLS", "C0034375"), "121106", "DCM"));
    }

    @Test
    void sameInputsGiveTheSameObjectUids() {
        AiFinding finding = AiFinding.completed(0.8, 0.5, MODEL, WHEN);
        AttributeList a = build(fullSource, finding, "an-5");
        AttributeList b = build(fullSource, finding, "an-5");
        assertEquals(ResultObjects.sopInstance(a), ResultObjects.sopInstance(b));
        assertEquals(ResultObjects.string(a, TagFromName.SeriesInstanceUID),
                ResultObjects.string(b, TagFromName.SeriesInstanceUID));
        AttributeList other = build(fullSource, finding, "an-6");
        assertNotEquals(ResultObjects.sopInstance(a), ResultObjects.sopInstance(other));
    }

    @Test
    void passesPixelMedsSrValidator() throws Exception {
        for (AiFinding finding : List.of(AiFinding.completed(0.8734, 0.42, MODEL, WHEN),
                AiFinding.notApplicable("the image is not a frontal chest radiograph", MODEL, WHEN),
                AiFinding.failed("inference timed out", MODEL, WHEN))) {
            AttributeList sr = build(fullSource, finding, "an-7-" + finding.status());
            String report = new DicomSRValidator().validate(sr);
            System.out.println("DicomSRValidator (" + finding.status() + "):\n" + report);
            // One known error, kept on purpose: PixelMed 20220618 checks Procedure reported (TID 1500 row 4) strictly
            // against CID 100, which lists CT/MR/PET procedures only. CID 100 is extensible, so SCT 399208008
            // "Plain chest X-ray" is a legitimate extension, but the validator ignores extensibility.
            List<String> errors = report.lines().filter(l -> l.startsWith("Error"))
                    .filter(l -> !(l.contains("(121058,DCM,\"Procedure reported\")")
                            && l.endsWith("Code (399208008,SCT,\"Plain chest X-ray\") not found in context group 100")))
                    .toList();
            assertTrue(report.contains("Found Root Template TID_1500"), "validated against TID 1500:\n" + report);
            assertTrue(errors.isEmpty(), finding.status() + ": " + String.join("\n", errors));
        }
    }

    @Test
    void refusesUidsOfAnotherModelVersion() {
        AiFinding finding = AiFinding.completed(0.8, 0.5, MODEL, WHEN);
        assertThrows(IllegalArgumentException.class, () -> MeasurementReport.build(SourceStudy.from(fullSource),
                finding, ResultUids.of("an-8", "pneumonia-v2"), WHEN));
    }

    @Test
    void findingRefusesContradictions() {
        // "positive" below the threshold, or a probability on a result that was not produced
        assertThrows(IllegalArgumentException.class, () -> new AiFinding(
                io.alveolus.interop.AnalysisResult.Status.COMPLETED, 0.3, 0.5, true, MODEL, "a", "m", null, WHEN));
        assertThrows(IllegalArgumentException.class, () -> new AiFinding(
                io.alveolus.interop.AnalysisResult.Status.NOT_APPLICABLE, 0.3, 0.5, null, MODEL, "a", "m", "x", WHEN));
        assertThrows(IllegalArgumentException.class, () -> AiFinding.completed(1.2, 0.5, MODEL, WHEN));
        assertFalse(SourceStudy.from(fullSource).toString().contains("Müller"), "toString names no patient");
        assertFalse(SourceStudy.from(fullSource).toString().contains(Fixtures.PATIENT_ID));
    }

    // --- reading the tree back ---------------------------------------------------------------------------------

    static String templateId(AttributeList sr) {
        AttributeList t = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(sr,
                TagFromName.ContentTemplateSequence);
        return t == null ? null : ResultObjects.string(t, TagFromName.TemplateIdentifier);
    }

    static ContentItem child(ContentItem parent, String codeValue, String scheme) {
        assertNotNull(parent, "parent of (" + codeValue + ", " + scheme + ")");
        ContentItem c = parent.getNamedChild(scheme, codeValue);
        assertNotNull(c, "content item (" + codeValue + ", " + scheme + ")");
        return c;
    }

    static String textOf(ContentItem parent, String codeValue, String scheme) {
        String v = child(parent, codeValue, scheme).getSingleStringValueOrNull();
        return v == null ? null : v.strip(); // DICOM pads odd-length values with a space
    }

    static String codeValueOf(ContentItem parent, String codeValue, String scheme) {
        ContentItem c = child(parent, codeValue, scheme);
        AttributeList value = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(c.getAttributeList(),
                TagFromName.ConceptCodeSequence);
        return ResultObjects.string(value, TagFromName.CodeValue);
    }

    static double numberOf(ContentItem parent, String codeValue) {
        ContentItem c = child(parent, codeValue, MeasurementReport.PRIVATE_SCHEME);
        AttributeList mv = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(c.getAttributeList(),
                TagFromName.MeasuredValueSequence);
        AttributeList unit = SequenceAttribute.getAttributeListFromWithinSequenceWithSingleItem(mv,
                TagFromName.MeasurementUnitsCodeSequence);
        assertEquals("UCUM", ResultObjects.string(unit, TagFromName.CodingSchemeDesignator));
        return Double.parseDouble(ResultObjects.string(mv, TagFromName.NumericValue));
    }

    static List<ContentItem> flatten(ContentItem root) {
        List<ContentItem> all = new ArrayList<>();
        all.add(root);
        for (int i = 0; i < root.getChildCount(); i++) all.addAll(flatten((ContentItem) root.getChildAt(i)));
        return all;
    }

    static List<String> referencedInstances(ContentItem root) {
        return flatten(root).stream().filter(i -> "IMAGE".equals(i.getValueType()))
                .map(ContentItem::getReferencedSOPInstanceUID).toList();
    }

    static List<String> evidenceInstances(AttributeList sr) {
        List<String> uids = new ArrayList<>();
        SequenceAttribute ev = (SequenceAttribute) sr.get(TagFromName.CurrentRequestedProcedureEvidenceSequence);
        for (int s = 0; s < ev.getNumberOfItems(); s++) {
            SequenceAttribute series = (SequenceAttribute) ev.getItem(s).getAttributeList()
                    .get(TagFromName.ReferencedSeriesSequence);
            for (int r = 0; r < series.getNumberOfItems(); r++) {
                SequenceAttribute sops = (SequenceAttribute) series.getItem(r).getAttributeList()
                        .get(TagFromName.ReferencedSOPSequence);
                for (int i = 0; i < sops.getNumberOfItems(); i++) {
                    uids.add(ResultObjects.string(sops.getItem(i).getAttributeList(),
                            TagFromName.ReferencedSOPInstanceUID));
                }
            }
        }
        return uids;
    }
}
