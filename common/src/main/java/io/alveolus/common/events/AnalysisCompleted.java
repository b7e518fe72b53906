package io.alveolus.common.events;

import java.time.Instant;
import java.util.UUID;

/**
 * Published by the worker after the result is committed to PostgreSQL, and again, with the same values, whenever a
 * redelivered image is found already done: consumers dedupe by analysis id. The usage fields are what billing
 * meters, so they are read from the committed row, never recomputed.
 * <p>
 * {@code status} is one of the terminal statuses:
 * <ul>
 *   <li>{@code COMPLETED}: the model read the image; {@code probability}, {@code positive} (at the applied
 *       threshold) and {@code population} are set. Billed.</li>
 *   <li>{@code FAILED}: no result; {@code failureReason} says why. Not billed.</li>
 *   <li>{@code NOT_APPLICABLE}: the model may not read the image (not a frontal chest radiograph, by its DICOM
 *       metadata or the applicability gate); {@code notApplicableReason} says why, and {@code probability},
 *       {@code positive} and {@code population} are null (the database refuses a probability on such a row). Not
 *       billed; the usage ledger counts it apart.</li>
 * </ul>
 *
 * @param notApplicableReason why the model may not read the image (NOT_APPLICABLE only), else null
 * @param population          the population whose operating point was applied ({@code "paediatric"} or
 *                            {@code "adult"}), or null (a model without populations, NOT_APPLICABLE, FAILED)
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
