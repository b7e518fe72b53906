package io.alveolus.common.events;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PriorityTest {
    @Test
    void exactNamesInAnyAsciiCase() {
        assertEquals(Priority.ROUTINE, Priority.parse(null));
        assertEquals(Priority.ROUTINE, Priority.parse(""));
        assertEquals(Priority.URGENT, Priority.parse("URGENT"));
        assertEquals(Priority.URGENT, Priority.parse("urgent"));
        assertEquals(Priority.ROUTINE, Priority.parse("Routine"));
    }

    @Test
    void nothingElse() {
        // issue 12: "URGENT\0" was taken as URGENT; "ROUT\u0131NE" (dotless i) equals "ROUTINE" ignoring case
        for (String v : new String[]{"URGENT\0", " URGENT", "URGENT ", "URGENT\n", "ROUT\u0131NE", "ROUTİNE", "URG",
                "URGENT,ROUTINE", "1", "STAT"}) {
            assertThrows(IllegalArgumentException.class, () -> Priority.parse(v), v);
        }
    }
}
