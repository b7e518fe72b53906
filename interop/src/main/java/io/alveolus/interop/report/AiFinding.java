package io.alveolus.interop.report;

import io.alveolus.interop.AnalysisResult.Status;
import java.time.Instant;
import java.util.Objects;

/**
 * One AI result on one radiograph, as the DICOM result objects report it.
 *
 * @param status        COMPLETED, FAILED or NOT_APPLICABLE (the same states as {@link io.alveolus.interop.AnalysisResult})
 * @param probability   model output in [0, 1]; only for COMPLETED, else null
 * @param threshold     decision threshold in [0, 1] that {@code positive} was decided at; required for COMPLETED
 * @param positive      {@code probability >= threshold}; only for COMPLETED, else null
 * @param modelVersion  the model version that produced (or failed to produce) the result, e.g. "pneumonia-v3"
 * @param algorithmName e.g. "Alveolus pneumonia" (Algorithm Name, TID 4019)
 * @param manufacturer  e.g. "Alveolus"
 * @param reason        why the image was not analysed (NOT_APPLICABLE) or why the analysis failed (FAILED); null
 *                      for COMPLETED
 * @param completedAt   when the analysis completed or failed
 */
public record AiFinding(
        Status status,
        Double probability,
        Double threshold,
        Boolean positive,
        String modelVersion,
        String algorithmName,
        String manufacturer,
        String reason,
        Instant completedAt) {

    public static final String DEFAULT_ALGORITHM_NAME = "Alveolus pneumonia";
    public static final String DEFAULT_MANUFACTURER = "Alveolus";

    public AiFinding {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(completedAt, "completedAt");
        requireText(modelVersion, "modelVersion");
        requireText(algorithmName, "algorithmName");
        requireText(manufacturer, "manufacturer");
        if (threshold != null && !(threshold >= 0.0 && threshold <= 1.0)) {
            throw new IllegalArgumentException("threshold outside [0, 1]: " + threshold);
        }
        if (status == Status.COMPLETED) {
            Objects.requireNonNull(probability, "probability (COMPLETED)");
            Objects.requireNonNull(threshold, "threshold (COMPLETED)");
            Objects.requireNonNull(positive, "positive (COMPLETED)");
            if (!(probability >= 0.0 && probability <= 1.0)) {
                throw new IllegalArgumentException("probability outside [0, 1]: " + probability);
            }
            // the SR states presence next to the probability and the threshold: they must not contradict each other
            if (positive != (probability >= threshold)) {
                throw new IllegalArgumentException("positive=" + positive + " contradicts probability " + probability
                        + " at threshold " + threshold);
            }
            if (reason != null) throw new IllegalArgumentException("a COMPLETED result has no failure reason");
        } else if (probability != null || positive != null) {
            // a result that was not produced must never be readable as a negative (or positive) one
            throw new IllegalArgumentException("a " + status + " result has no probability and no decision");
        }
    }

    public static AiFinding completed(double probability, double threshold, String modelVersion, Instant completedAt) {
        return new AiFinding(Status.COMPLETED, probability, threshold, probability >= threshold, modelVersion,
                DEFAULT_ALGORITHM_NAME, DEFAULT_MANUFACTURER, null, completedAt);
    }

    public static AiFinding notApplicable(String reason, String modelVersion, Instant completedAt) {
        return new AiFinding(Status.NOT_APPLICABLE, null, null, null, modelVersion, DEFAULT_ALGORITHM_NAME,
                DEFAULT_MANUFACTURER, reason, completedAt);
    }

    public static AiFinding failed(String reason, String modelVersion, Instant completedAt) {
        return new AiFinding(Status.FAILED, null, null, null, modelVersion, DEFAULT_ALGORITHM_NAME,
                DEFAULT_MANUFACTURER, reason, completedAt);
    }

    /**
     * The sentence both result objects show instead of a result when there is none, e.g. "Not analysed: the image is
     * not a frontal chest radiograph"; null for COMPLETED.
     */
    public String noResultText() {
        String why = reason == null || reason.isBlank() ? null : reason.strip();
        return switch (status) {
            case COMPLETED -> null;
            case NOT_APPLICABLE -> "Not analysed: " + (why == null ? "the image is outside what the model may read" : why);
            case FAILED -> "Analysis failed: " + (why == null ? "no reason recorded" : why);
        };
    }

    private static void requireText(String s, String what) {
        Objects.requireNonNull(s, what);
        if (s.isBlank()) throw new IllegalArgumentException(what + " is blank");
    }
}
