package io.alveolus.common.api;

import io.alveolus.common.events.Priority;

import java.time.Instant;
import java.util.UUID;

/**
 * An analysis as the results API returns it (and the portal reads it). No pixel data, no names.
 * {@code status}: QUEUED, PROCESSING, COMPLETED, FAILED (see {@code failureReason}) or NOT_APPLICABLE (the model
 * may not read the image: {@code notApplicableReason} says why; {@code probability}, {@code positive},
 * {@code threshold} and {@code population} are null and there is no heat map).
 *
 * @param population the population whose operating point was applied ({@code "paediatric"} or {@code "adult"}),
 *                   or null (a model without populations, not read)
 * @param populationValidated true if the patient's age lies in that population's validated range; false if the
 *                   age is unknown or was not validated (ages 0 and 6-17 for pneumonia-v2) and the default
 *                   population's operating point was applied; null when {@code population} is null
 */
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
        String population,
        Boolean populationValidated) {

    /** pneumonia-v2 before the per-study validated flag. */
    public AnalysisView(UUID id, String studyId, String patientRef, String referringPhysician, Priority priority,
                        String status, Double probability, Boolean positive, Double threshold, String modelVersion,
                        boolean heatmapAvailable, String failureReason, Instant receivedAt, Instant completedAt,
                        Integer inferenceMs, String reviewLabel, String reviewComment, String reviewedBy,
                        Instant reviewedAt, String notApplicableReason, String population) {
        this(id, studyId, patientRef, referringPhysician, priority, status, probability, positive, threshold,
                modelVersion, heatmapAvailable, failureReason, receivedAt, completedAt, inferenceMs, reviewLabel,
                reviewComment, reviewedBy, reviewedAt, notApplicableReason, population, null);
    }

    /** Before pneumonia-v2: no applicability gate, no population. */
    public AnalysisView(UUID id, String studyId, String patientRef, String referringPhysician, Priority priority,
                        String status, Double probability, Boolean positive, Double threshold, String modelVersion,
                        boolean heatmapAvailable, String failureReason, Instant receivedAt, Instant completedAt,
                        Integer inferenceMs, String reviewLabel, String reviewComment, String reviewedBy,
                        Instant reviewedAt) {
        this(id, studyId, patientRef, referringPhysician, priority, status, probability, positive, threshold,
                modelVersion, heatmapAvailable, failureReason, receivedAt, completedAt, inferenceMs, reviewLabel,
                reviewComment, reviewedBy, reviewedAt, null, null, null);
    }
}
