package io.alveolus.common.api;

import io.alveolus.common.events.Priority;

import java.time.Instant;
import java.util.UUID;

/** An analysis as the results API returns it (and the portal reads it). No pixel data, no names. */
public record AnalysisView(
        UUID id,
        String studyId,
        String patientRef,
        String referringPhysician,
        Priority priority,
        String status,
        Double probability,
        Boolean positive,
        Double threshold,
        String modelVersion,
        boolean heatmapAvailable,
        String failureReason,
        Instant receivedAt,
        Instant completedAt,
        Integer inferenceMs,
        String reviewLabel,
        String reviewComment,
        String reviewedBy,
        Instant reviewedAt,
        String notApplicableReason,
        String population) {

    /** Status values: QUEUED, PROCESSING, COMPLETED, FAILED, NOT_APPLICABLE (no probability; see the reason). */
    public AnalysisView(UUID id, String studyId, String patientRef, String referringPhysician, Priority priority,
                        String status, Double probability, Boolean positive, Double threshold, String modelVersion,
                        boolean heatmapAvailable, String failureReason, Instant receivedAt, Instant completedAt,
                        Integer inferenceMs, String reviewLabel, String reviewComment, String reviewedBy,
                        Instant reviewedAt) {
        this(id, studyId, patientRef, referringPhysician, priority, status, probability, positive, threshold,
                modelVersion, heatmapAvailable, failureReason, receivedAt, completedAt, inferenceMs, reviewLabel,
                reviewComment, reviewedBy, reviewedAt, null, null);
    }
}
