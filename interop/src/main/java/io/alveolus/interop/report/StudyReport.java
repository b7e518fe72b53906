package io.alveolus.interop.report;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.ContentItem;
import com.pixelmed.dicom.ContentItemFactory;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.StructuredReport;
import io.alveolus.interop.AnalysisResult.Status;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import static io.alveolus.interop.report.MeasurementReport.code;

/**
 * The study-level result ({@link StudyResult}) as a TID 1500 Measurement Report in a Comprehensive 3D SR, like the
 * per-image report ({@link MeasurementReport}) but over the study: one measurement group "Pneumonia classification
 * (study)" whose IMAGE items reference every analysed image, and a Qualitative Evaluations container that states
 * the rule and lists each image that was not analysed, with why. Series {@value #SERIES_NUMBER}, one per study and
 * model version; each revision (the study grew, an image's outcome changed) is a new instance in it.
 */
public final class StudyReport {

    public static final int SERIES_NUMBER = 9903;

    private StudyReport() {
    }

    public static AttributeList build(String tenant, StudyResult study, Instant contentTime) {
        Objects.requireNonNull(study, "study");
        Objects.requireNonNull(contentTime, "contentTime");
        AiFinding finding = study.finding();
        SourceStudy first = study.images().get(0).source();
        String studyUid = first.studyInstanceUid();
        String version = finding.modelVersion();
        try {
            AttributeList list = new AttributeList();
            Dicom.putSopCommon(list, MeasurementReport.COMPREHENSIVE_3D_SR,
                    ResultUids.studyInstance(tenant, studyUid, version, study.revision()), contentTime);
            first.putPatientAndStudy(list);
            MeasurementReport.putSeriesAndEquipment(list, finding, ResultUids.studySeries(tenant, studyUid, version),
                    SERIES_NUMBER, "AI study result");
            List<SourceStudy> evidence = (study.analysed().isEmpty() ? study.images() : study.analysed()).stream()
                    .map(StudyResult.Image::source).toList();
            MeasurementReport.putDocumentGeneral(list, evidence, contentTime);
            list.putAll(new StructuredReport(content(tenant, study)).getAttributeList());
            MeasurementReport.putPrivateCodingScheme(list);
            return list;
        } catch (DicomException e) {
            throw new IllegalStateException("cannot build the study SR: " + e.getMessage(), e);
        }
    }

    private static ContentItem content(String tenant, StudyResult study) throws DicomException {
        AiFinding finding = study.finding();
        ContentItemFactory f = new ContentItemFactory();
        ContentItem root = MeasurementReport.root(f, finding);
        if (finding.status() == Status.COMPLETED) {
            MeasurementReport.measurementGroup(f, root, finding, "Pneumonia classification (study)",
                    ResultUids.studyTracking(tenant, study.images().get(0).source().studyInstanceUid(),
                            finding.modelVersion()),
                    study.analysed().stream().map(StudyResult.Image::source).toList());
        }
        ContentItem qualitative = f.makeContainerContentItem(root, "CONTAINS",
                code("C0034375", "UMLS", "Qualitative Evaluations"), true);
        if (finding.status() != Status.COMPLETED) {
            f.makeTextContentItem(qualitative, "CONTAINS", code("121106", "DCM", "Comment"), finding.noResultText());
        }
        f.makeTextContentItem(qualitative, "CONTAINS", code("121106", "DCM", "Comment"), StudyResult.RULE + "; "
                + study.analysed().size() + " of " + study.images().size() + " images analysed"
                + (study.pending() > 0 ? ", " + study.pending() + " still being analysed" : ""));
        for (StudyResult.Image i : study.images()) {
            if (i.finding().status() != Status.COMPLETED) {
                f.makeTextContentItem(qualitative, "CONTAINS", code("121106", "DCM", "Comment"),
                        "Image " + i.source().sopInstanceUid() + ": " + i.finding().noResultText());
            }
        }
        return root;
    }
}
