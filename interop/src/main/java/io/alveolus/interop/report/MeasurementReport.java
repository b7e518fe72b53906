package io.alveolus.interop.report;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.CodedSequenceItem;
import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.ContentItemFactory;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.StructuredReport;
import com.pixelmed.dicom.TagFromName;
import io.alveolus.interop.AnalysisResult.Status;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.util.Objects;

/**
 * The AI result as a DICOM Comprehensive 3D SR with the content of TID 1500 "Measurement Report", the encoding the
 * IHE AI Results (AIR) profile uses for an algorithm's findings, so that a PACS or viewer files it in the study of the
 * radiograph and shows it beside the image.
 *
 * <p>Content tree (relationship, value type, concept name = value):
 * <pre>
 * CONTAINER (126000, DCM, "Imaging Measurement Report")                  TID 1500 (DCMR)
 *   HAS CONCEPT MOD  CODE   (121049, DCM, "Language of Content Item and Descendants") = (en-US, RFC5646)  TID 1204
 *   HAS OBS CONTEXT  CODE   (121005, DCM, "Observer Type") = (121007, DCM, "Device")                    TID 1002
 *   HAS OBS CONTEXT  UIDREF (121012, DCM, "Device Observer UID") = per model version                    TID 1004
 *   HAS OBS CONTEXT  TEXT   (121013 / 121014 / 121015) name, manufacturer, model name = model version
 *   HAS CONCEPT MOD  CODE   (121058, DCM, "Procedure reported") = (399208008, SCT, "Plain chest X-ray")
 *   COMPLETED:
 *   CONTAINS CONTAINER (126010, DCM, "Imaging Measurements")
 *     CONTAINS CONTAINER (125007, DCM, "Measurement Group")                                          TID 1501
 *       HAS OBS CONTEXT TEXT (112039, "Tracking Identifier"), UIDREF (112040, "Tracking Unique Identifier")
 *       CONTAINS        CODE (121071, DCM, "Finding") = (233604007, SCT, "Pneumonia")
 *       HAS CONCEPT MOD CODE (363698007, SCT, "Finding Site") = (39607008, SCT, "Lung")
 *       HAS CONCEPT MOD TEXT (111001, DCM, "Algorithm Name"), (111003, DCM, "Algorithm Version")         TID 4019
 *       CONTAINS        NUM  probability of pneumonia, UCUM {probability}, 0..1                           TID 300
 *       CONTAINS        NUM  decision threshold, UCUM {probability}
 *       CONTAINS        CODE (233604007, SCT, "Pneumonia") = Present / Absent (CID 241), decided at the threshold
 *       CONTAINS        IMAGE the source radiograph
 *   FAILED / NOT_APPLICABLE:
 *   CONTAINS CONTAINER (C0034375, UMLS, "Qualitative Evaluations")
 *     CONTAINS        TEXT (121106, DCM, "Comment") = "Not analysed: ..." / "Analysis failed: ..."
 * </pre>
 * A report without a result carries no probability, no presence and no finding code, only the sentence saying why,
 * so a missing result can never be read as a negative one.
 *
 * <p>No standard code names "the probability a classifier gives" nor "decision threshold" (DCM 111047 is the
 * mammography CAD "Probability of cancer"); those two concept names are in the private coding scheme
 * {@value #PRIVATE_SCHEME}, declared in the Coding Scheme Identification Sequence.
 */
public final class MeasurementReport {

    public static final String COMPREHENSIVE_3D_SR = "1.2.840.10008.5.1.4.1.1.88.34";
    public static final int SERIES_NUMBER = 9901;

    public static final String PRIVATE_SCHEME = "99ALVEOLUS";
    /** Concept names of the two NUM items, in {@value #PRIVATE_SCHEME}. */
    public static final String CODE_PROBABILITY = "PNEUMONIA-PROB";
    public static final String CODE_THRESHOLD = "DECISION-THRESH";

    // codes the report uses; the meanings are those of PS3.16 (and of the SR validator's tables)
    static final String[] FINDING_PNEUMONIA = {"233604007", "SCT", "Pneumonia"};
    static final String[] PRESENT = {"52101004", "SCT", "Present"};
    static final String[] ABSENT = {"272519000", "SCT", "Absent"};

    private MeasurementReport() {}

    /**
     * @param source      patient, study and instance of the radiograph
     * @param finding     the result (or why there is none)
     * @param uids        the UIDs of this analysis' result objects; their model version must be the finding's
     * @param contentTime Content Date/Time of the report (when it was made)
     */
    public static AttributeList build(SourceStudy source, AiFinding finding, ResultUids uids, Instant contentTime) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(finding, "finding");
        Objects.requireNonNull(uids, "uids");
        Objects.requireNonNull(contentTime, "contentTime");
        if (!uids.modelVersion().equals(finding.modelVersion())) {
            throw new IllegalArgumentException("UIDs of model version " + uids.modelVersion() + " for a result of "
                    + finding.modelVersion());
        }
        try {
            AttributeList list = new AttributeList();
            Dicom.putSopCommon(list, COMPREHENSIVE_3D_SR, uids.srInstance(), contentTime);
            source.putPatientAndStudy(list);
            putSeriesAndEquipment(list, finding, uids.srSeries(), SERIES_NUMBER, "AI result");
            putDocumentGeneral(list, java.util.List.of(source), contentTime);
            list.putAll(new StructuredReport(content(source, finding, uids)).getAttributeList());
            putPrivateCodingScheme(list);
            return list;
        } catch (DicomException e) {
            // only our own constant codes and values reach PixelMed here: a failure is a bug, not bad input
            throw new IllegalStateException("cannot build the SR: " + e.getMessage(), e);
        }
    }

    static void putSeriesAndEquipment(AttributeList list, AiFinding finding, String seriesUid, int seriesNumber,
                                      String description) throws DicomException {
        Dicom.put(list, TagFromName.Modality, "SR");
        Dicom.put(list, TagFromName.SeriesInstanceUID, seriesUid);
        Dicom.put(list, TagFromName.SeriesNumber, seriesNumber);
        Dicom.put(list, TagFromName.SeriesDescription, description + " (" + finding.modelVersion() + ")");
        Dicom.sequence(list, TagFromName.ReferencedPerformedProcedureStepSequence); // type 2: present, empty
        // General and Enhanced General Equipment: the device is the algorithm
        Dicom.put(list, TagFromName.Manufacturer, finding.manufacturer());
        Dicom.put(list, TagFromName.ManufacturerModelName, finding.algorithmName());
        Dicom.put(list, TagFromName.DeviceSerialNumber, finding.modelVersion());
        Dicom.put(list, TagFromName.SoftwareVersions, finding.modelVersion());
    }

    static void putDocumentGeneral(AttributeList list, java.util.List<SourceStudy> evidenceImages, Instant contentTime)
            throws DicomException {
        Dicom.put(list, TagFromName.InstanceNumber, 1);
        Dicom.put(list, TagFromName.CompletionFlag, "COMPLETE");
        // nobody has verified it: an AI result is decision support until a radiologist signs the report
        Dicom.put(list, TagFromName.VerificationFlag, "UNVERIFIED");
        Dicom.put(list, TagFromName.ContentDate, Dicom.date(contentTime));
        Dicom.put(list, TagFromName.ContentTime, Dicom.time(contentTime));
        Dicom.sequence(list, TagFromName.PerformedProcedureCodeSequence); // type 2: present, empty
        // the evidence: the radiographs the result was made from, by series
        SequenceAttribute evidence = Dicom.sequence(list, TagFromName.CurrentRequestedProcedureEvidenceSequence);
        AttributeList study = new AttributeList();
        Dicom.put(study, TagFromName.StudyInstanceUID, evidenceImages.get(0).studyInstanceUid());
        SequenceAttribute series = Dicom.sequence(study, TagFromName.ReferencedSeriesSequence);
        java.util.Map<String, java.util.List<SourceStudy>> bySeries = new java.util.LinkedHashMap<>();
        evidenceImages.forEach(i -> bySeries.computeIfAbsent(i.seriesInstanceUid(), k -> new java.util.ArrayList<>())
                .add(i));
        for (var e : bySeries.entrySet()) {
            AttributeList seriesItem = new AttributeList();
            Dicom.put(seriesItem, TagFromName.SeriesInstanceUID, e.getKey());
            SequenceAttribute sops = Dicom.sequence(seriesItem, TagFromName.ReferencedSOPSequence);
            for (SourceStudy i : e.getValue()) {
                sops.addItem(Dicom.sopReference(i.sopClassUid(), i.sopInstanceUid()));
            }
            series.addItem(seriesItem);
        }
        evidence.addItem(study);
    }

    private static ContentItem content(SourceStudy source, AiFinding finding, ResultUids uids)
            throws DicomException {
        ContentItemFactory f = new ContentItemFactory();
        ContentItem root = root(f, finding);

        if (finding.status() == Status.COMPLETED) {
            measurementGroup(f, root, finding, "Pneumonia classification", uids.tracking(), java.util.List.of(source));
        } else {
            ContentItem qualitative = f.makeContainerContentItem(root, "CONTAINS",
                    code("C0034375", "UMLS", "Qualitative Evaluations"), true);
            // no TID 4019 here: the observer context above names the model version, and PixelMed's validator takes
            // an Algorithm Name TEXT in this container for row 14's TEXT and refuses its relationship
            f.makeTextContentItem(qualitative, "CONTAINS", code("121106", "DCM", "Comment"),
                    finding.noResultText());
        }
        return root;
    }

    /**
     * The TID 1501 measurement group of a completed result, in a new Imaging Measurements container: tracking,
     * the finding and its site, TID 4019, probability and threshold, presence at the threshold, and an IMAGE item
     * per radiograph it was read from.
     */
    static void measurementGroup(ContentItemFactory f, ContentItem root, AiFinding finding, String trackingId,
                                 String trackingUid, java.util.List<SourceStudy> images) throws DicomException {
        ContentItem measurements = f.makeContainerContentItem(root, "CONTAINS",
                code("126010", "DCM", "Imaging Measurements"), true);
        ContentItem group = f.makeContainerContentItem(measurements, "CONTAINS",
                code("125007", "DCM", "Measurement Group"), true, "DCMR", "1501");
        f.makeTextContentItem(group, "HAS OBS CONTEXT", code("112039", "DCM", "Tracking Identifier"), trackingId);
        f.makeUIDContentItem(group, "HAS OBS CONTEXT", code("112040", "DCM", "Tracking Unique Identifier"),
                trackingUid);
        f.makeCodeContentItem(group, "CONTAINS", code("121071", "DCM", "Finding"), code(FINDING_PNEUMONIA));
        f.makeCodeContentItem(group, "HAS CONCEPT MOD", code("363698007", "SCT", "Finding Site"),
                code("39607008", "SCT", "Lung"));
        algorithm(f, group, finding);
        CodedSequenceItem probabilityUnit = code("{probability}", "UCUM", "probability");
        f.makeNumericContentItem(group, false, "CONTAINS",
                code(CODE_PROBABILITY, PRIVATE_SCHEME, "Probability of pneumonia"), ds(finding.probability()),
                finding.probability(), null, null, probabilityUnit, null);
        f.makeNumericContentItem(group, false, "CONTAINS",
                code(CODE_THRESHOLD, PRIVATE_SCHEME, "Decision threshold"), ds(finding.threshold()),
                finding.threshold(), null, null, probabilityUnit, null);
        // presence of the finding, decided at the threshold (CID 241 Present-Absent Only)
        f.makeCodeContentItem(group, "CONTAINS", code(FINDING_PNEUMONIA), code(finding.positive() ? PRESENT : ABSENT));
        for (SourceStudy image : images) {
            f.makeImageContentItem(group, "CONTAINS", null, image.sopClassUid(), image.sopInstanceUid(),
                    0, 0, null, null, null, null);
        }
    }

    /** TID 1500's root: language, the device observer (the model version), the procedure reported. */
    static ContentItem root(ContentItemFactory f, AiFinding finding) throws DicomException {
        ContentItem root = f.makeContainerContentItem(null, null, code("126000", "DCM", "Imaging Measurement Report"),
                true, "DCMR", "1500");
        // TID 1204
        f.makeCodeContentItem(root, "HAS CONCEPT MOD",
                code("121049", "DCM", "Language of Content Item and Descendants"),
                code("en-US", "RFC5646", "English (United States)"));
        // TID 1002 / 1004: the observer is a device, the model version
        f.makeCodeContentItem(root, "HAS OBS CONTEXT", code("121005", "DCM", "Observer Type"),
                code("121007", "DCM", "Device"));
        f.makeUIDContentItem(root, "HAS OBS CONTEXT", code("121012", "DCM", "Device Observer UID"),
                ResultUids.deviceObserver(finding.modelVersion()));
        f.makeTextContentItem(root, "HAS OBS CONTEXT", code("121013", "DCM", "Device Observer Name"),
                finding.manufacturer());
        f.makeTextContentItem(root, "HAS OBS CONTEXT", code("121014", "DCM", "Device Observer Manufacturer"),
                finding.manufacturer());
        f.makeTextContentItem(root, "HAS OBS CONTEXT", code("121015", "DCM", "Device Observer Model Name"),
                finding.modelVersion());
        f.makeCodeContentItem(root, "HAS CONCEPT MOD", code("121058", "DCM", "Procedure reported"),
                code("399208008", "SCT", "Plain chest X-ray"));
        return root;
    }

    /** TID 4019 Algorithm Identification. */
    static void algorithm(ContentItemFactory f, ContentItem parent, AiFinding finding) throws DicomException {
        f.makeTextContentItem(parent, "HAS CONCEPT MOD", code("111001", "DCM", "Algorithm Name"),
                finding.algorithmName());
        f.makeTextContentItem(parent, "HAS CONCEPT MOD", code("111003", "DCM", "Algorithm Version"),
                finding.modelVersion());
    }

    static void putPrivateCodingScheme(AttributeList list) throws DicomException {
        AttributeList scheme = new AttributeList();
        Dicom.put(scheme, TagFromName.CodingSchemeDesignator, PRIVATE_SCHEME);
        Dicom.put(scheme, TagFromName.CodingSchemeName, "Alveolus AI result concepts");
        Dicom.put(scheme, TagFromName.CodingSchemeResponsibleOrganization, Dicom.MANUFACTURER);
        Dicom.sequence(list, TagFromName.CodingSchemeIdentificationSequence).addItem(scheme);
    }

    /** Decimal String: at most 16 characters; the exact value travels in Floating Point Value beside it. */
    static String ds(double v) {
        return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    static CodedSequenceItem code(String value, String scheme, String meaning) throws DicomException {
        return new CodedSequenceItem(value, scheme, meaning);
    }

    static CodedSequenceItem code(String[] c) throws DicomException {
        return new CodedSequenceItem(c[0], c[1], c[2]);
    }
}
