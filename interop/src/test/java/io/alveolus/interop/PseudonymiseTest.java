package io.alveolus.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class PseudonymiseTest {

    @Test
    void stablePerTenant() {
        String a = DicomMetadata.pseudonymise("secret-a", "hospital-a", "PAT-4711");
        assertEquals(a, DicomMetadata.pseudonymise("secret-a", "hospital-a", "PAT-4711"));
        assertEquals(a, DicomMetadata.pseudonymise("secret-a", "hospital-a", "PAT-4711  "), "DICOM padding ignored");
        assertTrue(a.matches("[0-9a-f]{64}"), a);
        assertTrue(!a.contains("4711"));
    }

    @Test
    void differsAcrossTenantsPatientsAndSecrets() {
        String a = DicomMetadata.pseudonymise("secret", "hospital-a", "PAT-4711");
        assertNotEquals(a, DicomMetadata.pseudonymise("secret", "hospital-b", "PAT-4711"), "same secret, other tenant");
        assertNotEquals(a, DicomMetadata.pseudonymise("other-secret", "hospital-a", "PAT-4711"));
        assertNotEquals(a, DicomMetadata.pseudonymise("secret", "hospital-a", "PAT-4712"));
    }

    @Test
    void isHmacSha256OfTenantAndPatientId() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("k".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal("t\np".getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, DicomMetadata.pseudonymise("k", "t", "p"));
    }

    @Test
    void refusesEmptyInputs() {
        assertThrows(IllegalArgumentException.class, () -> DicomMetadata.pseudonymise("", "t", "p"));
        assertThrows(IllegalArgumentException.class, () -> DicomMetadata.pseudonymise("k", " ", "p"));
        assertThrows(IllegalArgumentException.class, () -> DicomMetadata.pseudonymise("k", "t", ""));
        assertThrows(NullPointerException.class, () -> DicomMetadata.pseudonymise("k", "t", null));
    }
}
