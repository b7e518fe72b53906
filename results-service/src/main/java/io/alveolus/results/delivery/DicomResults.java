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

    /** Part 10 bytes of the delivery's object; the analysis' SOP Instance UIDs are those of {@link ResultUids}. */
    public byte[] build(Delivery d) throws Exception {
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
        };
        return Part10.bytes(object);
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
        return TenantContext.call(new TenantId(d.tenant()), () -> QuarkusTransaction.requiringNew().call(() -> {
            Analysis found = Analysis.findById(d.analysisId());
            if (found == null) {
                throw new IllegalStateException("analysis " + d.analysisId() + " no longer exists");
            }
            Analysis.getEntityManager().detach(found);
            return found;
        }));
    }

    static AiFinding finding(Analysis a, String modelVersion) {
        return switch (a.status) {
            case COMPLETED -> AiFinding.completed(a.probability, a.threshold, modelVersion, a.completedAt);
            case NOT_APPLICABLE -> AiFinding.notApplicable(a.notApplicableReason, modelVersion, a.completedAt);
            case FAILED -> AiFinding.failed(a.failureReason == null ? "unknown" : a.failureReason, modelVersion,
                    a.completedAt);
            default -> throw new IllegalStateException("analysis " + a.id + " is " + a.status + ", not finished");
        };
    }
}
