package io.alveolus.common.events;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoredFieldsTest {
    static final String SHA = "ab".repeat(32);

    static ImageReceived event(String study, String patient, String physician, String type, Integer age,
                               ImageReceived.DicomRef dicom) {
        return new ImageReceived(UUID.randomUUID(), "st-marys", study, patient, physician, Priority.ROUTINE,
                "tenants/st-marys/images/" + SHA, SHA, type, 1000, Instant.now(), dicom, age);
    }

    static ImageReceived.DicomRef dicom(String study, String series, String sop, String view) {
        return new ImageReceived.DicomRef(study, series, sop, view);
    }

    static String problem(ImageReceived e) {
        return StoredFields.problem(e).orElse("");
    }

    @Test
    void uidRulesOfPs35() {
        assertTrue(StoredFields.isValidUid("1.2.840.10008.5.1.4.1.1.1"));
        assertTrue(StoredFields.isValidUid("0.1.0"), "a component may be a single zero");
        assertTrue(StoredFields.isValidUid("1." + "2".repeat(62)), "64 characters");
        assertFalse(StoredFields.isValidUid("1." + "2".repeat(63)), "65 characters");
        assertFalse(StoredFields.isValidUid("1.02.3"), "leading zero in a multi-digit component");
        assertFalse(StoredFields.isValidUid("01.2"), "leading zero in the first component");
        assertFalse(StoredFields.isValidUid("1..3"), "empty component");
        assertFalse(StoredFields.isValidUid(".1.3"), "empty first component");
        assertFalse(StoredFields.isValidUid("1.2."), "trailing dot");
        assertFalse(StoredFields.isValidUid("1.2.a"), "not a digit");
        assertFalse(StoredFields.isValidUid("1.2 "), "padding is not part of a UID");
        assertFalse(StoredFields.isValidUid(""));
        assertFalse(StoredFields.isValidUid(null));
    }

    @Test
    void dicomIdentifiersNameTheFieldThatFails() {
        assertTrue(StoredFields.dicomProblem("1.2", "1.3", "1.4", "PA").isEmpty());
        assertTrue(StoredFields.dicomProblem(null, null, "1.4", null).isEmpty(), "study, series and view optional");
        assertTrue(StoredFields.dicomProblem("1.2", "1.3", "1." + "2".repeat(63), "PA").orElseThrow()
                .contains("SOP Instance UID is not a valid DICOM UID"));
        assertTrue(StoredFields.dicomProblem("1.2.x", "1.3", "1.4", "PA").orElseThrow().contains("Study Instance UID"));
        assertTrue(StoredFields.dicomProblem("1.2", "1.03", "1.4", "PA").orElseThrow().contains("Series Instance UID"));
        assertTrue(StoredFields.dicomProblem("1.2", "1.3", " ", null).orElseThrow().contains("no SOP Instance UID"));
        assertTrue(StoredFields.dicomProblem("1.2", "1.3", "1.4", "X".repeat(16)).isEmpty(), "16 characters fit");
        assertEquals("the ViewPosition has 17 characters; at most 16 can be stored",
                StoredFields.dicomProblem("1.2", "1.3", "1.4", "X".repeat(17)).orElseThrow());
    }

    @Test
    void everyStoredFieldAgainstItsColumn() {
        assertEquals("", problem(event("ACC-1", "PSEUDO-1", "alice", "image/png", 40, null)));
        assertEquals("", problem(event("S".repeat(128), "P".repeat(128), "D".repeat(128), "image/jpeg", 0, null)),
                "the widths of the columns fit");
        assertEquals("", problem(event("ACC-1", "PSEUDO-1", null, "application/dicom", 130,
                dicom("1.2", "1.2.3", "1.2.3.4", "PA"))));

        assertTrue(problem(event("S".repeat(129), "P", null, "image/png", null, null)).contains("study id has 129"));
        assertTrue(problem(event("S", "P".repeat(129), null, "image/png", null, null)).contains("patient reference"));
        assertTrue(problem(event("S", "P", "D".repeat(129), "image/png", null, null)).contains("referring physician"));
        assertTrue(problem(event("S\0", "P", null, "image/png", null, null)).contains("NUL"));
        assertTrue(problem(event(null, "P", null, "image/png", null, null)).contains("study id is missing"));
        assertTrue(problem(event("S", "P", null, "image/gif", null, null)).contains("content type"));
        assertTrue(problem(event("S", "P", null, "image/png", 131, null)).contains("patient age"));
        assertTrue(problem(event("S", "P", null, "image/png", -1, null)).contains("patient age"));
        assertTrue(problem(event("S", "P", null, "application/dicom", null,
                dicom("1.2", "1.3", "1." + "2".repeat(63), "PA"))).contains("SOP Instance UID"));
        assertTrue(problem(event("S", "P", null, "application/dicom", null,
                dicom("1.2", "1.3", "1.4", "POSTEROANTERIOR-X"))).contains("ViewPosition has 17 characters"));

        var base = event("S", "P", null, "image/png", null, null);
        assertTrue(problem(new ImageReceived(base.analysisId(), "St Marys", "S", "P", null, Priority.ROUTINE,
                base.imageKey(), SHA, "image/png", 1, Instant.now(), null)).contains("tenant"));
        assertTrue(problem(new ImageReceived(base.analysisId(), "st-marys", "S", "P", null, null,
                base.imageKey(), SHA, "image/png", 1, Instant.now(), null)).contains("priority"));
        assertTrue(problem(new ImageReceived(base.analysisId(), "st-marys", "S", "P", null, Priority.URGENT,
                base.imageKey(), "AB".repeat(32), "image/png", 1, Instant.now(), null)).contains("hash"));
        assertTrue(problem(new ImageReceived(base.analysisId(), "st-marys", "S", "P", null, Priority.URGENT,
                "k".repeat(257), SHA, "image/png", 1, Instant.now(), null)).contains("image key"));
        assertTrue(problem(new ImageReceived(base.analysisId(), "st-marys", "S", "P", null, Priority.URGENT,
                base.imageKey(), SHA, "image/png", 1, null, null)).contains("reception time"));
    }

    @Test
    void priorityIsParsedStrictly() {
        assertEquals(Priority.ROUTINE, Priority.parse(null));
        assertEquals(Priority.ROUTINE, Priority.parse(""));
        assertEquals(Priority.URGENT, Priority.parse("URGENT"));
        assertEquals(Priority.URGENT, Priority.parse("urgent"));
        assertThrows(IllegalArgumentException.class, () -> Priority.parse("URGENT\0"));
        assertThrows(IllegalArgumentException.class, () -> Priority.parse(" URGENT"));
        assertThrows(IllegalArgumentException.class, () -> Priority.parse("STAT"));
    }
}
