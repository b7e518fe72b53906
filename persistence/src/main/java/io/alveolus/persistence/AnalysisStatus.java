package io.alveolus.persistence;

public enum AnalysisStatus {
    QUEUED, PROCESSING, COMPLETED, FAILED;

    public boolean terminal() {
        return this == COMPLETED || this == FAILED;
    }
}
