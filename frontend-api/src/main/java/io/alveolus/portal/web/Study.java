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
                    String reviewedWhen, boolean notApplicable, String notApplicableReason, String population,
                    boolean ageNotValidated) {

    /**
     * {@code population}: whose operating point was applied (v2), and {@code ageNotValidated} when the patient's
     * age is unknown or outside the validated ages, so the clinician sees the figure was not validated for them.
     * A NOT_APPLICABLE analysis shows its reason and nothing of a reading: no probability, threshold, finding or
     * heat map, and it is not "done", so no review form (the results API refuses its review too).
     */
    public static Study of(AnalysisView a, Instant now) {
        String status = Row.status(a.status());
        boolean notApplicable = Row.NOT_APPLICABLE.equals(status);
        boolean read = !notApplicable && a.probability() != null;
        boolean flagged = read && Boolean.TRUE.equals(a.positive());
        String threshold = !read || a.threshold() == null ? "" : String.format(Locale.ROOT, "%.3f", a.threshold());
        String finding = "";
        if (read) {
            finding = flagged
                    ? "Flagged: pneumonia suspected (probability at or above the operating threshold " + threshold + ")"
                    : "Not flagged: probability below the operating threshold " + threshold;
        }
        String reason = a.notApplicableReason() == null || a.notApplicableReason().isBlank() ? null
                : a.notApplicableReason();
        return new Study(a.id(), a.studyId(), a.patientRef(), a.referringPhysician(),
                a.priority() == null ? "ROUTINE" : a.priority().name(), status,
                a.receivedAt() == null ? "" : a.receivedAt().toString(), Row.age(a.receivedAt(), now),
                a.completedAt() == null ? "" : a.completedAt().toString(), "done".equals(status), "failed".equals(status),
                a.failureReason(), read ? Row.percent(a.probability()) : "", flagged, threshold,
                finding, a.modelVersion(), !notApplicable && a.heatmapAvailable(), a.reviewLabel() != null,
                Row.review(a), a.reviewedBy(), a.reviewedAt() == null ? "" : a.reviewedAt().toString(),
                a.reviewComment(), flagged ? "PNEUMONIA" : "NO_PNEUMONIA", Row.when(a.receivedAt()),
                Row.when(a.reviewedAt()), notApplicable, notApplicable ? reason : null,
                read && a.population() != null ? a.population() : null,
                // the default population's operating point applied to an age the model was not validated for
                read && Boolean.FALSE.equals(a.populationValidated()));
    }
}
