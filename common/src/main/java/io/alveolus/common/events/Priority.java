package io.alveolus.common.events;

/** Clinical urgency as given by the sending system. */
public enum Priority {
    ROUTINE, URGENT;

    public static Priority parse(String value) {
        if (value == null || value.isBlank()) {
            return ROUTINE;
        }
        return Priority.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
    }
}
