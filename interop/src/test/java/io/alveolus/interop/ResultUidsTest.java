package io.alveolus.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.alveolus.interop.report.ResultUids;
import io.alveolus.interop.report.ResultUids.Kind;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Deterministic result UIDs: a re-send lands on the same instances, anything else never does. */
class ResultUidsTest {

    @Test
    void sameInputsSameUids() {
        ResultUids a = ResultUids.of("0b8f6a2e-analysis", "pneumonia-v3");
        ResultUids b = ResultUids.of("0b8f6a2e-analysis", "pneumonia-v3");
        for (Kind k : Kind.values()) assertEquals(a.uid(k), b.uid(k), k.name());
        assertEquals(ResultUids.deviceObserver("pneumonia-v3"), ResultUids.deviceObserver("pneumonia-v3"));
    }

    @Test
    void anyInputDifferentUidDifferent() {
        Set<String> seen = new HashSet<>();
        for (String analysis : new String[] {"a1", "a2", "A1", "a1 "}) {
            for (String model : new String[] {"pneumonia-v3", "pneumonia-v2"}) {
                ResultUids u = ResultUids.of(analysis, model);
                for (Kind k : Kind.values()) assertTrue(seen.add(u.uid(k)), "duplicate for " + analysis + model + k);
            }
        }
        // the parts are length-prefixed: shifting a character from one part into the other changes the UID
        assertNotEquals(ResultUids.of("ab", "c").srInstance(), ResultUids.of("a", "bc").srInstance());
        assertNotEquals(ResultUids.deviceObserver("pneumonia-v3"), ResultUids.deviceObserver("pneumonia-v2"));
        assertFalse(seen.contains(ResultUids.deviceObserver("pneumonia-v3")));
    }

    @Test
    void validSyntaxAndLength() {
        for (int i = 0; i < 2000; i++) {
            ResultUids u = ResultUids.of("analysis-" + i, "model-" + (i % 7));
            for (Kind k : Kind.values()) {
                String uid = u.uid(k);
                assertTrue(uid.startsWith("2.25."), uid);
                assertTrue(uid.length() <= 64, uid);
                assertTrue(ResultUids.isValid(uid), uid);
                // 2.25 UIDs are the decimal form of a 128-bit number
                assertTrue(new java.math.BigInteger(uid.substring(5)).bitLength() <= 128, uid);
            }
        }
        String longId = "x".repeat(10_000);
        assertTrue(ResultUids.isValid(ResultUids.of(longId, longId).scSeries()), "length does not grow with input");
    }

    @Test
    void validatorRejectsBadSyntax() {
        assertFalse(ResultUids.isValid("1.02.3"), "leading zero");
        assertFalse(ResultUids.isValid("1..3"));
        assertFalse(ResultUids.isValid("1.2.a"));
        assertFalse(ResultUids.isValid("1." + "1".repeat(63)), "over 64 characters");
        assertTrue(ResultUids.isValid("1.2.840.10008.5.1.4.1.1.88.34"));
    }

    @Test
    void refusesBlankInputs() {
        assertThrows(IllegalArgumentException.class, () -> ResultUids.of(" ", "pneumonia-v3"));
        assertThrows(NullPointerException.class, () -> ResultUids.of("a", null));
    }
}
