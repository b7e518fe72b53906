package io.alveolus.persistence;

import io.alveolus.common.events.Priority;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.TenantId;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/** The model's reading of one image of one study, for one tenant. */
@Entity
@Table(name = "analysis")
public class Analysis extends PanacheEntityBase {
    @Id
    public UUID id;
    /** Set and filtered by Hibernate from the resolved tenant: see {@link TokenTenantResolver}. */
    @TenantId
    @Column(nullable = false, updatable = false)
    public String tenant;
    @Column(name = "study_id", nullable = false)
    public String studyId;
    @Column(name = "patient_ref", nullable = false)
    public String patientRef;
    @Column(name = "referring_physician")
    public String referringPhysician;
    @Enumerated(EnumType.STRING)
    public Priority priority;
    @Column(name = "image_key", nullable = false)
    public String imageKey;
    @Column(name = "image_sha256", nullable = false)
    public String imageSha256;
    @Column(name = "content_type", nullable = false)
    public String contentType;
    @Column(name = "size_bytes")
    public long sizeBytes;
    @Enumerated(EnumType.STRING)
    public AnalysisStatus status;
    public Double probability;
    public Boolean positive;
    public Double threshold;
    @Column(name = "model_version")
    public String modelVersion;
    /** The content hash of the exact model version that produced this result (registry, V18). */
    @Column(name = "model_sha256")
    public String modelSha256;
    /** A stored heat-map PNG: only results from before the CAM grid (V11); new results have {@link #camGrid}. */
    @Column(name = "heatmap_key")
    public String heatmapKey;
    /** Class-activation grid, little-endian float32, {@code camWidth x camHeight}; rendered on request. */
    @Column(name = "cam_grid")
    public byte[] camGrid;
    @Column(name = "cam_width")
    public Short camWidth;
    @Column(name = "cam_height")
    public Short camHeight;
    @Column(name = "failure_reason")
    public String failureReason;
    @Column(name = "not_applicable_reason")
    public String notApplicableReason;
    /** The population whose operating point applied (paediatric / adult), null for v1 or not applicable. */
    public String population;
    @Column(name = "patient_age_years")
    public Integer patientAgeYears;
    /** The age lies in the applied population's validated range; false: unknown or not validated (v2 only). */
    @Column(name = "population_validated")
    public Boolean populationValidated;
    @Column(name = "received_at", nullable = false)
    public Instant receivedAt;
    @Column(name = "completed_at")
    public Instant completedAt;
    @Column(name = "inference_ms")
    public Integer inferenceMs;
    @Column(name = "heatmap_bytes")
    public Long heatmapBytes;
    /** Accepted beyond the monthly allowance (billed as overage). */
    public boolean overage;
    public int attempts;
    @Column(name = "study_instance_uid")
    public String studyInstanceUid;
    @Column(name = "sop_instance_uid")
    public String sopInstanceUid;
    @Column(name = "view_position")
    public String viewPosition;
    /**
     * Raw grey statistics of the image before windowing/normalisation, 0..1 of the stored bit depth (V23): written
     * by the worker with the result, read (aggregated) by results-service's drift monitoring.
     */
    @Column(name = "raw_mean")
    public Double rawMean;
    @Column(name = "raw_std")
    public Double rawStd;
    @Column(name = "raw_p01")
    public Double rawP01;
    @Column(name = "raw_p99")
    public Double rawP99;
    @Column(name = "review_label")
    public String reviewLabel;
    @Column(name = "review_comment")
    public String reviewComment;
    @Column(name = "reviewed_by")
    public String reviewedBy;
    @Column(name = "reviewed_at")
    public Instant reviewedAt;

    /** A heat map can be shown: the result has a CAM grid (rendered on request) or a stored PNG (older rows). */
    public boolean hasHeatmap() {
        return camGrid != null || heatmapKey != null;
    }

    /** For DICOM the instance is the identity: the same SOP Instance UID is the same analysis. */
    public static UUID idForDicom(String tenant, String sopInstanceUid) {
        return UUID.nameUUIDFromBytes((tenant + "\nsop\n" + sopInstanceUid).getBytes(StandardCharsets.UTF_8));
    }

    /** The one place analysis ids are made: the same image for the same study is the same analysis. */
    public static UUID idFor(String tenant, String studyId, String sha256) {
        return UUID.nameUUIDFromBytes((tenant + "\n" + studyId + "\n" + sha256).getBytes(StandardCharsets.UTF_8));
    }
}
