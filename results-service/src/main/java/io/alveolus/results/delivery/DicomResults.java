package io.alveolus.results.delivery;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import io.alveolus.interop.AnalysisResult;
import io.alveolus.interop.hl7.OruMessage;
import io.alveolus.interop.hl7.ResultMessage;
import io.alveolus.interop.hl7.ResultMessage.Patient;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.interop.DicomImage;
import io.alveolus.interop.report.AiFinding;
import io.alveolus.interop.report.MeasurementReport;
import io.alveolus.interop.report.Part10;
import io.alveolus.interop.report.ResultUids;
import io.alveolus.interop.report.SecondaryCapture;
import io.alveolus.interop.report.SourceStudy;
import io.alveolus.interop.report.StudyReport;
import io.alveolus.interop.report.StudyResult;
import io.alveolus.persistence.AnalysisRepository;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.TenantContext;
import io.alveolus.results.analysis.HeatmapRenderer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Makes the DICOM object (or the HL7 message) of a delivery from the analysis and its stored original: the patient and study modules
 * are copied from the original (read at send time: Alveolus keeps the patient id only as a keyed hash), so the
 * PACS files the result beside the image it is about. The SC is drawn by the platform's one heat-map renderer.
 */
@ApplicationScoped
public class DicomResults {
    /** Longer side of the Secondary Capture's picture. */
    static final int SC_MAX_SIDE = 1024;

    @Inject
    ObjectStore store;
    @Inject
    HeatmapRenderer heatmaps;
    @Inject
    AnalysisRepository analyses;

    /** Part 10 bytes of the delivery's object; the analysis' SOP Instance UIDs are those of {@link ResultUids}. */
    public byte[] build(Delivery d) throws Exception {
        if (d.kind() == Delivery.Kind.STUDY_SR) {
            return buildStudy(d);
        }
        TenantId tenant = new TenantId(d.tenant());
        Analysis a = load(d);
        byte[] original = store.get(tenant, a.imageKey);
        SourceStudy study = SourceStudy.from(Part10.read(original));
        AiFinding finding = finding(a, d.modelVersion());
        ResultUids uids = ResultUids.of(a.id.toString(), d.modelVersion());
        AttributeList object = switch (d.kind()) {
            case SR -> MeasurementReport.build(study, finding, uids, a.completedAt);
            case SC -> {
                if (!a.hasHeatmap() || a.camGrid == null) {
                    throw new IllegalStateException("analysis " + a.id + " has no class-activation grid to draw");
                }
                var picture = heatmaps.overlay(a, DicomImage.decode(original).image(), SC_MAX_SIDE);
                yield SecondaryCapture.build(study, finding, picture, uids, a.completedAt);
            }
            case ORU -> throw new IllegalArgumentException("an ORU is an HL7 message, not a DICOM object");
            case STUDY_SR -> throw new IllegalStateException("built by buildStudy");
        };
        return Part10.bytes(object);
    }

    /**
     * The study-level report ({@link StudyResult}'s rule) over the study's images as they stand now: those finished
     * by the delivery's model version count, those still being analysed are named as pending (their completion
     * re-opens the delivery, so a newer revision follows), those read by another version have their own report.
     * Content time: the latest of the images' completions, so a re-send is the same object.
     */
    byte[] buildStudy(Delivery d) throws Exception {
        TenantId tenant = new TenantId(d.tenant());
        java.util.List<Analysis> all = committed(tenant, () -> {
            java.util.List<Analysis> found = analyses.ofStudy(tenant, d.study());
            found.forEach(x -> Analysis.getEntityManager().detach(x));
            return found;
        });
        java.util.List<StudyResult.Image> images = new java.util.ArrayList<>();
        int pending = 0;
        java.time.Instant at = null;
        for (Analysis a : all) {
            if (!a.status.terminal()) {
                pending++;
            } else if (d.modelVersion().equals(a.modelVersion) && a.completedAt != null) {
                images.add(new StudyResult.Image(SourceStudy.from(Part10.readHeader(store.get(tenant, a.imageKey))),
                        finding(a, d.modelVersion())));
                at = at == null || a.completedAt.isAfter(at) ? a.completedAt : at;
            }
        }
        if (images.isEmpty()) {
            throw new IllegalStateException("no image of the study is finished by " + d.modelVersion() + " yet");
        }
        return Part10.bytes(StudyReport.build(d.tenant(), StudyResult.of(images, pending, d.modelVersion(), at), at));
    }

    /**
     * The HL7 v2 ORU^R01 of the delivery for {@code ris}: the patient as the hospital knows them (PatientID, its
     * issuer and PatientName from the stored DICOM original; for a PNG/JPEG upload, the patient reference the
     * hospital sent), the accession as the order, every outcome (never a probability without a result).
     */
    public String oru(Delivery d, PacsDestinations.Destination ris) throws Exception {
        Analysis a = load(d);
        Patient patient;
        if ("application/dicom".equals(a.contentType)) {
            AttributeList src = Part10.read(store.get(new TenantId(d.tenant()), a.imageKey));
            String[] name = Attribute.getSingleStringValueOrEmptyString(src, TagFromName.PatientName).split("\\^", 3);
            patient = new Patient(Attribute.getSingleStringValueOrEmptyString(src, TagFromName.PatientID),
                    emptyToNull(Attribute.getSingleStringValueOrEmptyString(src, TagFromName.IssuerOfPatientID)),
                    emptyToNull(name[0]), name.length > 1 ? emptyToNull(name[1]) : null);
        } else {
            patient = new Patient(a.patientRef, null, null, null);
        }
        var result = new AnalysisResult(a.id.toString(), a.tenant, a.patientRef, a.studyId, a.studyInstanceUid,
                AnalysisResult.Status.valueOf(a.status.name()), a.probability, a.positive, a.threshold,
                d.modelVersion(), null, a.completedAt, a.notApplicableReason);
        return OruMessage.encode(ResultMessage.of(result, ris.receivingApplication() == null ? "RIS"
                        : ris.receivingApplication(), ris.receivingFacility() == null ? d.tenant() : ris.receivingFacility(),
                patient, null, null, null, AiFinding.DEFAULT_ALGORITHM_NAME, a.failureReason));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** The analysis as committed (detached: read outside the relay's transaction, in its tenant's session). */
    private static Analysis load(Delivery d) {
        return committed(new TenantId(d.tenant()), () -> {
            Analysis found = Analysis.findById(d.analysisId());
            if (found == null) {
                throw new IllegalStateException("analysis " + d.analysisId() + " no longer exists");
            }
            Analysis.getEntityManager().detach(found);
            return found;
        });
    }

    /** Reads as committed, in the tenant's session and a transaction of its own (not the relay's). */
    private static <T> T committed(TenantId tenant, java.util.concurrent.Callable<T> read) {
        return TenantContext.call(tenant, () -> QuarkusTransaction.requiringNew().call(read));
    }

    public static AiFinding finding(Analysis a, String modelVersion) {
        return switch (a.status) {
            case COMPLETED -> AiFinding.completed(a.probability, a.threshold, modelVersion, a.completedAt);
            case NOT_APPLICABLE -> AiFinding.notApplicable(a.notApplicableReason, modelVersion, a.completedAt);
            case FAILED -> AiFinding.failed(a.failureReason == null ? "unknown" : a.failureReason, modelVersion,
                    a.completedAt);
            default -> throw new IllegalStateException("analysis " + a.id + " is " + a.status + ", not finished");
        };
    }
}
