package io.alveolus.common.events;

import java.time.Instant;
import java.util.UUID;

/** Published by the worker after the result is committed to PostgreSQL (status COMPLETED or FAILED). */
public record AnalysisCompleted(
        UUID analysisId,
        String tenant,
        String studyId,
        String status,
        Double probability,
        Boolean positive,
        String modelVersion,
        String failureReason,
        Instant completedAt) {
}
