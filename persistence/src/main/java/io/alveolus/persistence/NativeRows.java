package io.alveolus.persistence;

import java.time.Instant;
import java.time.OffsetDateTime;

/** Values of native-query rows: the driver hands timestamps over as Timestamp, OffsetDateTime or Instant. */
public final class NativeRows {

    private NativeRows() {
    }

    /** A timestamptz column's value as an Instant (null stays null). */
    public static Instant instant(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof Instant i) {
            return i;
        }
        if (o instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        if (o instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        return Instant.parse(o.toString());
    }
}
