package io.alveolus.persistence;

/**
 * Where an analysis stands. Terminal: COMPLETED (a probability against the applied threshold), FAILED (no result,
 * see the failure reason) and NOT_APPLICABLE (the model may not read the image, by its DICOM metadata or the
 * applicability gate: never a probability, positive flag, threshold or heat map; see the reason).
 */
public enum AnalysisStatus {
    QUEUED, PROCESSING, COMPLETED, FAILED, NOT_APPLICABLE;

    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == NOT_APPLICABLE;
    }

    /** SQL condition on the {@code status} column: the row is not terminal (from {@link #terminal()}, so one list). */
    public static final String NOT_TERMINAL_SQL = "status not in (" + java.util.Arrays.stream(values())
            .filter(AnalysisStatus::terminal).map(s -> "'" + s.name() + "'")
            .collect(java.util.stream.Collectors.joining(", ")) + ")";

    /**
     * A status as clients write it: exactly a name, in any case of its ASCII letters; nothing trimmed, nothing
     * folded beyond ASCII (" COMPLETED", "NOT APPLICABLE" or a dotless-i spelling are refused).
     *
     * @throws IllegalArgumentException for anything else, with the accepted names
     */
    public static AnalysisStatus parse(String value) {
        if (value != null && value.chars().allMatch(c -> c < 128)) {
            for (AnalysisStatus s : values()) {
                if (s.name().equalsIgnoreCase(value)) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("status must be one of " + java.util.Arrays.toString(values()));
    }
}
