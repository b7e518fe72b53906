package io.alveolus.common.problem;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The portal's worklist and the results lists share these: what a session-less test cannot reach in the portal. */
class ParamsTest {
    static void bad(Runnable r) {
        assertEquals(400, assertThrows(ProblemException.class, r::run).status());
    }

    @Test
    void strictParameters() {
        assertEquals(new Params.Paging(0, 50), Params.paging(null, "", 50, 200));
        assertEquals(new Params.Paging(3, 200), Params.paging("3", "200", 50, 200));
        bad(() -> Params.paging("abc", null, 50, 200));
        bad(() -> Params.paging("11000000", "200", 50, 200));
        bad(() -> Params.paging("-1", null, 50, 200));
        bad(() -> Params.paging("0", "201", 50, 200));
        bad(() -> Params.paging("99999999999", null, 50, 200));
        assertNull(Params.bool("flagged", null));
        assertEquals(true, Params.bool("flagged", "true"));
        bad(() -> Params.bool("flagged", "maybe"));
        bad(() -> Params.bool("flagged", "TRUE "));
        bad(() -> Params.instant("from", "+1000000-01-01T00:00:00Z"));
        bad(() -> Params.instant("from", "1899-12-31T23:59:59Z"));
        assertEquals("2026-01-31T00:00:00Z", Params.instant("from", "2026-01-31T00:00:00Z").toString());
        bad(() -> Params.text("q", "x".repeat(129), 128));
    }
}
