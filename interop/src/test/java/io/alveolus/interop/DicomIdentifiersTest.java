package io.alveolus.interop;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class DicomIdentifiersTest {

    @Test
    void uidRules() {
        assertTrue(DicomIdentifiers.isValidUid("1.2.840.10008.5.1.4.1.1.1"));
        assertTrue(DicomIdentifiers.isValidUid("0.1.0"));
        assertTrue(DicomIdentifiers.isValidUid("1." + "2".repeat(62)), "64 characters");
        assertFalse(DicomIdentifiers.isValidUid("1." + "2".repeat(63)), "65 characters");
        assertFalse(DicomIdentifiers.isValidUid("1.02.3"), "leading zero");
        assertFalse(DicomIdentifiers.isValidUid("1..3"), "empty component");
        assertFalse(DicomIdentifiers.isValidUid("1.2."), "trailing dot");
        assertFalse(DicomIdentifiers.isValidUid("1.2.a"));
        assertFalse(DicomIdentifiers.isValidUid(""));
        assertFalse(DicomIdentifiers.isValidUid(null));
    }

    @Test
    void problemsNameTheField() {
        assertTrue(DicomIdentifiers.problem("1.2", "1.3", "1.4", "PA").isEmpty());
        assertTrue(DicomIdentifiers.problem(null, null, "1.4", null).isEmpty());
        assertTrue(DicomIdentifiers.problem("1.2", "1.3", "1." + "2".repeat(63), "PA").orElseThrow()
                .contains("SOP Instance UID"));
        assertTrue(DicomIdentifiers.problem("1.2.x", "1.3", "1.4", "PA").orElseThrow().contains("Study Instance UID"));
        assertTrue(DicomIdentifiers.problem("1.2", "1.3", "1.4", "POSTERO-ANTERIOR-X").orElseThrow()
                .contains("ViewPosition"));
        assertTrue(DicomIdentifiers.problem("1.2", "1.3", " ", null).orElseThrow().contains("no SOP Instance UID"));
    }
}
