package io.alveolus.common.events;

/** Clinical urgency as given by the sending system. */
public enum Priority {
    ROUTINE, URGENT;

    /**
     * Absent or empty is ROUTINE; otherwise exactly a name, in any case of ASCII letters. Nothing is trimmed:
     * "URGENT\0" or " URGENT" is refused, never taken for URGENT.
     */
    public static Priority parse(String value) {
        if (value == null || value.isEmpty()) {
            return ROUTINE;
        }
        // ASCII letters only: equalsIgnoreCase alone takes "ROUT\u0131NE" (dotless i) for ROUTINE
        if (value.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
            for (Priority p : values()) {
                if (p.name().equalsIgnoreCase(value)) {
                    return p;
                }
            }
        }
        throw new IllegalArgumentException("not a priority: must be ROUTINE or URGENT");
    }
}
