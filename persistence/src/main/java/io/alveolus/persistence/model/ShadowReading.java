package io.alveolus.persistence.model;

import java.time.Instant;
import java.util.UUID;

/**
 * A shadow version's reading of one analysis's image (table {@code analysis_shadow}): stored beside the active
 * result, never shown to clinicians.
 *
 * @param status {@code COMPLETED} (probability, decision) or {@code NOT_APPLICABLE} (the shadow's gate refused it)
 */
public record ShadowReading(UUID analysisId, String tenant, String modelVersion, String modelSha256, String status,
                            Double probability, Boolean positive, Double threshold, String population,
                            String notApplicableReason, Instant completedAt) {
}
