package io.alveolus.interop;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The DICOM attributes Alveolus uses. String values are trimmed; an absent attribute is {@code null} (strings)
 * or 0 (numbers).
 *
 * <p>{@code patientId} and {@code referringPhysicianName} are identifying: never log them, pseudonymise the patient
 * id with {@link #pseudonymise(String, String, String)} before storing it. {@link #toString()} redacts both.
 */
public record DicomMetadata(
        String studyInstanceUid,
        String seriesInstanceUid,
        String sopInstanceUid,
        String sopClassUid,
        String accessionNumber,
        String patientId,
        String referringPhysicianName,
        String modality,
        String viewPosition,
        int rows,
        int columns,
        int bitsStored,
        String photometric,
        String transferSyntaxUid,
        String bodyPartExamined,
        String imageType,
        Integer patientAgeYears) {

    /** Without the applicability attributes (body part, image type) and the patient's age. */
    public DicomMetadata(String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid, String sopClassUid,
                         String accessionNumber, String patientId, String referringPhysicianName, String modality,
                         String viewPosition, int rows, int columns, int bitsStored, String photometric,
                         String transferSyntaxUid) {
        this(studyInstanceUid, seriesInstanceUid, sopInstanceUid, sopClassUid, accessionNumber, patientId,
                referringPhysicianName, modality, viewPosition, rows, columns, bitsStored, photometric,
                transferSyntaxUid, null, null, null);
    }

    /** Why the pneumonia model may not read this instance, from its metadata alone; empty if it may. */
    public java.util.Optional<String> notApplicableReason() {
        return DicomApplicability.refusal(sopClassUid, modality, viewPosition, bodyPartExamined, imageType);
    }

    /**
     * The tenant's pseudonymous reference for a patient: lowercase hex HMAC-SHA256, keyed with the tenant secret, over
     * {@code tenant + '\n' + patientId.strip()}. Stable for the same (secret, tenant, patient id); differs across
     * tenants even with the same secret; not reversible without the secret.
     *
     * @throws IllegalArgumentException if the secret is empty, or tenant / patient id are blank
     */
    public static String pseudonymise(String tenantSecret, String tenant, String patientId) {
        Objects.requireNonNull(tenantSecret, "tenantSecret");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(patientId, "patientId");
        if (tenantSecret.isEmpty()) throw new IllegalArgumentException("tenant secret is empty");
        if (tenant.isBlank()) throw new IllegalArgumentException("tenant is blank");
        if (patientId.isBlank()) throw new IllegalArgumentException("patient id is blank");
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(tenantSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal((tenant + "\n" + patientId.strip()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e); // every Java 17 runtime has it
        }
    }

    /** Redacts the identifying fields, so that logging a metadata record leaks nothing. */
    @Override
    public String toString() {
        return "DicomMetadata[studyInstanceUid=" + studyInstanceUid
                + ", seriesInstanceUid=" + seriesInstanceUid
                + ", sopInstanceUid=" + sopInstanceUid
                + ", sopClassUid=" + sopClassUid
                + ", accessionNumber=" + accessionNumber
                + ", patientId=" + (patientId == null ? null : "<redacted>")
                + ", referringPhysicianName=" + (referringPhysicianName == null ? null : "<redacted>")
                + ", modality=" + modality
                + ", viewPosition=" + viewPosition
                + ", rows=" + rows
                + ", columns=" + columns
                + ", bitsStored=" + bitsStored
                + ", photometric=" + photometric
                + ", transferSyntaxUid=" + transferSyntaxUid
                + ", bodyPartExamined=" + bodyPartExamined
                + ", imageType=" + imageType
                + ", patientAgeYears=" + patientAgeYears + "]";
    }
}
