package io.alveolus.common.events;

import io.alveolus.common.tenancy.TenantId;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What an image-received event stores, checked against the constraints the {@code analysis} table (Flyway schema in
 * persistence) and the DICOM rules put on each field, in one place. Ingest refuses an image whose event fails here
 * before anything is stored or published (upload and STOW-RS alike); the worker ends such an event FAILED at once
 * instead of retrying it. {@code StoredFieldsSchemaTest} (persistence) holds the widths equal to the columns.
 */
public final class StoredFields {
    /** {@code analysis.tenant varchar(63)}, and a tenant id is a slug ({@link TenantId}). */
    public static final int TENANT = 63;
    /** {@code analysis.study_id varchar(128)}. */
    public static final int STUDY_ID = 128;
    /** {@code analysis.patient_ref varchar(128)}. */
    public static final int PATIENT_REF = 128;
    /** {@code analysis.referring_physician varchar(128)}. */
    public static final int REFERRING_PHYSICIAN = 128;
    /** {@code analysis.image_key varchar(256)}. */
    public static final int IMAGE_KEY = 256;
    /** {@code analysis.content_type varchar(64)}. */
    public static final int CONTENT_TYPE = 64;
    /** {@code analysis.study_instance_uid, sop_instance_uid varchar(64)}; PS3.5 §9.1 allows 64 characters. */
    public static final int UID = 64;
    /** {@code analysis.view_position varchar(16)}; ViewPosition is a CS value, at most 16 characters (PS3.5 §6.2). */
    public static final int VIEW_POSITION = 16;
    /** {@code analysis_patient_age_ck}: whole years from 0 to this. */
    public static final int MAX_AGE_YEARS = 130;
    /** The media types ingest stores (its accepted formats). */
    public static final Set<String> CONTENT_TYPES = Set.of("image/png", "image/jpeg", "application/dicom");

    /** PS3.5 §9.1: digits and dots; components non-empty, without a leading zero unless the component is "0". */
    private static final Pattern UID_SYNTAX = Pattern.compile("^(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))*$");
    /** {@code analysis.image_sha256 char(64)}: lower-case hex SHA-256. */
    private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");

    private StoredFields() {
    }

    public static boolean isValidUid(String uid) {
        return uid != null && uid.length() <= UID && UID_SYNTAX.matcher(uid).matches();
    }

    /**
     * The DICOM identifiers an instance brings: the SOP Instance UID is required, the study and series UIDs are
     * optional but valid when present, the ViewPosition fits its column.
     *
     * @return why they cannot be stored, naming the field; empty when they can
     */
    public static Optional<String> dicomProblem(String studyUid, String seriesUid, String sopUid, String viewPosition) {
        if (sopUid == null || sopUid.isBlank()) {
            return Optional.of("the DICOM file has no SOP Instance UID");
        }
        for (String[] f : new String[][]{{"SOP Instance UID", sopUid}, {"Study Instance UID", studyUid},
                {"Series Instance UID", seriesUid}}) {
            if (f[1] != null && !f[1].isBlank() && !isValidUid(f[1])) {
                return Optional.of("the " + f[0] + " is not a valid DICOM UID (at most " + UID
                        + " characters of digits and dots, no empty component, no leading zero); it has "
                        + f[1].length() + " characters");
            }
        }
        if (viewPosition != null) {
            Optional<String> p = text("ViewPosition", viewPosition, VIEW_POSITION, false);
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }

    /** @return why this event cannot be stored as an analysis row, naming the field; empty when it can */
    public static Optional<String> problem(ImageReceived e) {
        if (e.analysisId() == null) {
            return Optional.of("the event has no analysis id");
        }
        if (!TenantId.isValid(e.tenant())) {
            return Optional.of("the tenant is not a valid tenant id (a slug of at most " + TENANT + " characters)");
        }
        if (e.priority() == null) {
            return Optional.of("the priority is missing (ROUTINE or URGENT)");
        }
        if (e.contentType() == null || !CONTENT_TYPES.contains(e.contentType())) {
            return Optional.of("the content type is not one of " + String.join(", ", new java.util.TreeSet<>(CONTENT_TYPES)));
        }
        if (e.sha256() == null || !SHA256.matcher(e.sha256()).matches()) {
            return Optional.of("the image hash is not a lower-case hex SHA-256");
        }
        if (e.sizeBytes() < 0) {
            return Optional.of("the image size is negative");
        }
        if (e.receivedAt() == null) {
            return Optional.of("the event has no reception time");
        }
        if (e.patientAgeYears() != null && (e.patientAgeYears() < 0 || e.patientAgeYears() > MAX_AGE_YEARS)) {
            return Optional.of("the patient age must be whole years from 0 to " + MAX_AGE_YEARS);
        }
        return text("study id", e.studyId(), STUDY_ID, true)
                .or(() -> text("patient reference", e.patientRef(), PATIENT_REF, true))
                .or(() -> text("referring physician", e.referringPhysician(), REFERRING_PHYSICIAN, false))
                .or(() -> text("image key", e.imageKey(), IMAGE_KEY, true))
                .or(() -> e.dicom() == null ? Optional.empty() : dicomProblem(e.dicom().studyInstanceUid(),
                        e.dicom().seriesInstanceUid(), e.dicom().sopInstanceUid(), e.dicom().viewPosition()));
    }

    /** A text column: required or not, at most {@code max} characters, and no NUL (PostgreSQL text cannot hold it). */
    private static Optional<String> text(String name, String value, int max, boolean required) {
        if (value == null || value.isEmpty()) {
            return required ? Optional.of("the " + name + " is missing") : Optional.empty();
        }
        if (value.length() > max) {
            return Optional.of("the " + name + " has " + value.length() + " characters; at most " + max
                    + " can be stored");
        }
        if (value.indexOf('\0') >= 0) {
            return Optional.of("the " + name + " contains a NUL character");
        }
        return Optional.empty();
    }
}
