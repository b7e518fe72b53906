package io.alveolus.results.feedback;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The secret of one export: 256 random bits, made when the export starts and never stored. Within the export the
 * same patient pseudonym always gets the same key and the same original UID the same replacement, so splits can be
 * patient-disjoint and a study's images stay one study; without the secret neither can be linked back to the
 * tenant's pseudonym or UIDs, nor to another export.
 */
final class ExportKey {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;

    private ExportKey(byte[] secret) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    static ExportKey random() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return new ExportKey(secret);
    }

    /** 128 bits of HMAC-SHA-256 of the tenant and its patient pseudonym, as 32 hex digits. */
    String patientKey(String tenant, String patientRef) {
        return HexFormat.of().formatHex(mac("patient\n" + tenant + "\n" + patientRef), 0, 16);
    }

    /** A {@code 2.25.} UID (PS3.5 B.2: a UUID as a decimal integer) derived from the original: a version-8 UUID. */
    String uid(String original) {
        byte[] b = java.util.Arrays.copyOf(mac("uid\n" + original), 16);
        b[6] = (byte) ((b[6] & 0x0f) | 0x80); // version 8: custom
        b[8] = (byte) ((b[8] & 0x3f) | 0x80); // RFC 9562 variant
        return "2.25." + new BigInteger(1, b);
    }

    private byte[] mac(String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }
}
