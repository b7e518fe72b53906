package io.alveolus.persistence;

/** NOT_APPLICABLE: the applicability gate refused the image (terminal; never a probability). */
public enum AnalysisStatus {
    QUEUED, PROCESSING, COMPLETED, FAILED, NOT_APPLICABLE;

    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == NOT_APPLICABLE;
    }
}
