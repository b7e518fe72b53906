package io.alveolus.portal.web;

import io.alveolus.common.api.AnalysisView;
import io.quarkus.qute.TemplateData;

import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/** One analysis as the study page shows it. */
@TemplateData
public record Study(UUID id, String accession, String patientRef, String referringPhysician, String priority,
                    String status, String receivedAt, String age, String completedAt, boolean done, boolean failed,
                    String failureReason, String probability, boolean flagged, String threshold, String finding,
                    String modelVersion, boolean heatmap, boolean reviewed, String review, String reviewedBy,
                    String reviewedAt, String reviewComment, String modelLabel, String receivedWhen,
                    String reviewedWhen, boolean notApplicable, String notApplicableReason) {

    public static Study of(AnalysisView a, Instant now) {
        String status = Row.status(a.status());
        boolean flagged = Boolean.TRUE.equals(a.positive());
        String threshold = a.threshold() == null ? "" : String.format(Locale.ROOT, "%.3f", a.threshold());
        String finding = "";
        if (a.probability() != null) {
            finding = flagged
                    ? "Flagged: pneumonia suspected (probability at or above the operating threshold " + threshold + ")"
                    : "Not flagged: probability below the operating threshold " + threshold;
        }
        return new Study(a.id(), a.studyId(), a.patientRef(), a.referringPhysician(),
                a.priority() == null ? "ROUTINE" : a.priority().name(), status,
                a.receivedAt() == null ? "" : a.receivedAt().toString(), Row.age(a.receivedAt(), now),
                a.completedAt() == null ? "" : a.completedAt().toString(), "done".equals(status), "failed".equals(status),
                a.failureReason(), a.probability() == null ? "" : Row.percent(a.probability()), flagged, threshold,
                finding, a.modelVersion(), a.heatmapAvailable(), a.reviewLabel() != null, Row.review(a),
                a.reviewedBy(), a.reviewedAt() == null ? "" : a.reviewedAt().toString(), a.reviewComment(),
                flagged ? "PNEUMONIA" : "NO_PNEUMONIA", Row.when(a.receivedAt()), Row.when(a.reviewedAt()),
                Row.NOT_APPLICABLE.equals(status), a.notApplicableReason());
    }
}
