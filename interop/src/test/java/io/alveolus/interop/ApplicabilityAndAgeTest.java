package io.alveolus.interop;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class ApplicabilityAndAgeTest {

    static final String CR = "1.2.840.10008.5.1.4.1.1.1";
    static final String CT = "1.2.840.10008.5.1.4.1.1.2";

    @Test
    void frontalChestRadiographsPassAndOthersAreRefusedWithAReason() {
        assertEquals(Optional.empty(), DicomApplicability.refusal(CR, "CR", "PA", "CHEST", "ORIGINAL\\PRIMARY"));
        assertEquals(Optional.empty(), DicomApplicability.refusal(null, "DX", "ap", null, null));
        assertEquals(Optional.empty(), DicomApplicability.refusal(null, null, null, null, null),
                "absent metadata leaves the decision to the image-based gate");
        assertTrue(DicomApplicability.refusal(CT, "CT", null, "CHEST", null).orElseThrow().contains("SOP class"));
        assertTrue(DicomApplicability.refusal(null, "CT", null, null, null).orElseThrow().contains("modality CT"));
        assertTrue(DicomApplicability.refusal(CR, "CR", "LL", "CHEST", null).orElseThrow().contains("not frontal"));
        assertTrue(DicomApplicability.refusal(CR, "CR", "LATERAL", "CHEST", null).isPresent());
        assertTrue(DicomApplicability.refusal(CR, "DX", "PA", "HAND", null).orElseThrow().contains("HAND"));
        assertTrue(DicomApplicability.refusal(CR, "DX", "AP", "CHEST", "DERIVED\\SECONDARY\\LOCALIZER")
                .orElseThrow().contains("localizer"));
    }

    @Test
    void ageFromAgeStringOrDates() {
        assertEquals(Optional.of(45), PatientAge.years("045Y", null, null));
        assertEquals(Optional.of(2), PatientAge.years("030M", null, null));
        assertEquals(Optional.of(0), PatientAge.years("010W", null, null));
        assertEquals(Optional.of(0), PatientAge.years("003D", null, null));
        assertEquals(Optional.of(17), PatientAge.years(null, "20081203", "20261202"), "a day short of 18");
        assertEquals(Optional.of(18), PatientAge.years("bad", "20081202", "20261202"));
        assertEquals(Optional.empty(), PatientAge.years("45", null, null));
        assertEquals(Optional.empty(), PatientAge.years("999Y", null, null));
        assertEquals(Optional.empty(), PatientAge.years(null, "20300101", "20261202"), "born after the study");
        assertEquals(Optional.empty(), PatientAge.years(null, "2008-12-02", "20261202"));
        assertEquals(Optional.empty(), PatientAge.years(null, null, null));
    }
}
