package io.alveolus.results.delivery;

import com.pixelmed.dicom.AttributeList;
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
 * Makes the DICOM object of a delivery from the analysis and its stored original: the patient and study modules
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
        Analysis a = TenantContext.call(tenant, () -> QuarkusTransaction.requiringNew().call(() -> {
            Analysis found = Analysis.findById(d.analysisId());
            if (found == null) {
                throw new IllegalStateException("analysis " + d.analysisId() + " no longer exists");
            }
            Analysis.getEntityManager().detach(found);
            return found;
        }));
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
        };
        return Part10.bytes(object);
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
