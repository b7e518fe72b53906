package io.alveolus.common.events;

/** Clinical urgency as given by the sending system. */
public enum Priority {
    ROUTINE, URGENT;

    /**
     * Absent or empty is ROUTINE; otherwise exactly a name, in any case. Nothing is trimmed: "URGENT\0" or " URGENT"
     * is refused, never taken for URGENT.
     */
    public static Priority parse(String value) {
        if (value == null || value.isEmpty()) {
            return ROUTINE;
        }
        for (Priority p : values()) {
            if (p.name().equalsIgnoreCase(value)) {
                return p;
            }
        }
        throw new IllegalArgumentException("not a priority: must be ROUTINE or URGENT");
    }
}
