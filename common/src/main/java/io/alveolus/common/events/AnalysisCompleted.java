package io.alveolus.common.events;

import java.time.Instant;
import java.util.UUID;

/**
 * Published by the worker after the result is committed to PostgreSQL (status COMPLETED, FAILED or
 * NOT_APPLICABLE: the model may not read the image, no probability, {@code notApplicableReason} says why), and again,
 * with the same values, whenever a redelivered image is found already done: consumers dedupe by analysis id.
 * The usage fields are what billing meters, so they are read from the committed row, never recomputed.
 */
public record AnalysisCompleted(
        UUID analysisId,
        String tenant,
        String studyId,
        String status,
        Double probability,
        Boolean positive,
        String modelVersion,
        String failureReason,
        Instant completedAt,
        Instant receivedAt,
        Integer inferenceMs,
        long imageBytes,
        Long heatmapBytes,
        boolean overage,
        String notApplicableReason,
        String population) {

    /** Before pneumonia-v2: no applicability gate, no population. */
    public AnalysisCompleted(UUID analysisId, String tenant, String studyId, String status, Double probability,
                             Boolean positive, String modelVersion, String failureReason, Instant completedAt,
                             Instant receivedAt, Integer inferenceMs, long imageBytes, Long heatmapBytes,
                             boolean overage) {
        this(analysisId, tenant, studyId, status, probability, positive, modelVersion, failureReason, completedAt,
                receivedAt, inferenceMs, imageBytes, heatmapBytes, overage, null, null);
    }
}
