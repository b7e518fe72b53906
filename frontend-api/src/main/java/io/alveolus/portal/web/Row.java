package io.alveolus.portal.web;

import io.alveolus.common.api.AnalysisView;
import io.quarkus.qute.TemplateData;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/** One worklist row as the page shows it (server-rendered and re-fetched as JSON by the live worklist). */
@TemplateData
public record Row(UUID id, String accession, String patientRef, String priority, boolean urgent, String status,
                  String result, boolean flagged, String review, String receivedAt, String age) {

    public static Row of(AnalysisView a, Instant now) {
        String status = status(a.status());
        boolean notApplicable = NOT_APPLICABLE.equals(status);
        // not applicable: whatever a row might hold, no probability and no flag is shown for it
        boolean flagged = !notApplicable && Boolean.TRUE.equals(a.positive());
        String result;
        if (notApplicable) {
            result = notApplicable(a);
        } else if (a.probability() == null) {
            result = "failed".equals(status) ? "no result" : "pending";
        } else {
            result = percent(a.probability()) + (flagged ? " flagged" : " not flagged");
        }
        return new Row(a.id(), a.studyId(), a.patientRef(), a.priority() == null ? "ROUTINE" : a.priority().name(),
                a.priority() != null && a.priority().name().equals("URGENT"), status, result, flagged,
                review(a), a.receivedAt() == null ? "" : a.receivedAt().toString(), age(a.receivedAt(), now));
    }

    /** The model may not read the image (lateral, CT, not a radiograph...): no probability is shown. */
    public static final String NOT_APPLICABLE = "not applicable";

    /** "not applicable: " and the reason the model may not read the image (or just "not applicable"). */
    static String notApplicable(AnalysisView a) {
        String reason = a.notApplicableReason();
        return reason == null || reason.isBlank() ? NOT_APPLICABLE : NOT_APPLICABLE + ": " + reason;
    }

    /** QUEUED, PROCESSING, COMPLETED, FAILED, NOT_APPLICABLE as the clinicians say it. */
    public static String status(String s) {
        if (s == null) {
            return "unknown";
        }
        return switch (s) {
            case "QUEUED" -> "queued";
            case "PROCESSING" -> "processing";
            case "COMPLETED" -> "done";
            case "FAILED" -> "failed";
            case "NOT_APPLICABLE" -> NOT_APPLICABLE;
            default -> s.toLowerCase(Locale.ROOT);
        };
    }

    /** The portal's status words back to the results API's. */
    public static String apiStatus(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        return switch (s) {
            case "queued" -> "QUEUED";
            case "processing" -> "PROCESSING";
            case "done" -> "COMPLETED";
            case "failed" -> "FAILED";
            case NOT_APPLICABLE -> "NOT_APPLICABLE";
            default -> null;
        };
    }

    public static String review(AnalysisView a) {
        if (a.reviewLabel() == null) {
            return "";
        }
        boolean saysPneumonia = a.reviewLabel().equals("PNEUMONIA");
        String verdict = a.positive() == null ? "reviewed"
                : (saysPneumonia == a.positive() ? "confirmed" : "overruled");
        return verdict + ": " + label(a.reviewLabel()) + " (" + a.reviewedBy() + ")";
    }

    public static String label(String reviewLabel) {
        return "PNEUMONIA".equals(reviewLabel) ? "pneumonia" : "no pneumonia";
    }

    public static String percent(double p) {
        return String.format(Locale.ROOT, "%.1f%%", p * 100);
    }

    private static final java.time.format.DateTimeFormatter WHEN =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(java.time.ZoneOffset.UTC);

    /** An instant as clinicians read it (minutes, UTC). */
    public static String when(Instant t) {
        return t == null ? "" : WHEN.format(t);
    }

    public static String age(Instant then, Instant now) {
        if (then == null) {
            return "";
        }
        long s = Math.max(0, Duration.between(then, now).getSeconds());
        if (s < 60) {
            return "just now";
        }
        if (s < 3600) {
            return (s / 60) + " min ago";
        }
        if (s < 86400) {
            return (s / 3600) + " h ago";
        }
        return (s / 86400) + " d ago";
    }
}
