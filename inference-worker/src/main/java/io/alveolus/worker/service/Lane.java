package io.alveolus.worker.service;

/** Which topic a batch came from; the urgent lane is served first. */
public enum Lane {
    URGENT, ROUTINE;

    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
