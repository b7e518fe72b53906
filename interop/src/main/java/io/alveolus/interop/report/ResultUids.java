package io.alveolus.interop.report;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Deterministic DICOM UIDs for the objects that carry one analysis' result back to the PACS.
 *
 * <p>Each UID is {@code 2.25.} followed by the unsigned decimal value of a name-based (version 3) UUID of the
 * inputs, as PS3.5 B.2 allows without a registered root. Deterministic on purpose: when a STOW-RS acknowledgement is
 * lost and the result is sent again, the re-sent SR and SC land on the same instances (the PACS replaces or ignores
 * them) instead of doubling the study. Any input that differs (another analysis, another model version, another kind
 * of object) gives another UID.
 *
 * <p>The name is built from length-prefixed parts, so ("ab", "c") and ("a", "bc") cannot collide.
 */
public final class ResultUids {

    /** What a UID identifies; its name is part of the hashed input, so renaming a constant changes the UIDs. */
    public enum Kind {
        SR_INSTANCE, SR_SERIES, SC_INSTANCE, SC_SERIES,
        /** Tracking Unique Identifier (112040, DCM) of the SR's measurement group. */
        TRACKING
    }

    /** PS3.5 9.1: components of digits, no leading zero (except "0"), at most 64 characters. */
    private static final Pattern UID_SYNTAX = Pattern.compile("(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))*");
    private static final String NAMESPACE = "io.alveolus.interop.report/1";

    private final String analysisId;
    private final String modelVersion;

    private ResultUids(String analysisId, String modelVersion) {
        this.analysisId = requireText(analysisId, "analysisId");
        this.modelVersion = requireText(modelVersion, "modelVersion");
    }

    /** The UIDs of the result objects of analysis {@code analysisId} made by {@code modelVersion}. */
    public static ResultUids of(String analysisId, String modelVersion) {
        return new ResultUids(analysisId, modelVersion);
    }

    public String analysisId() {
        return analysisId;
    }

    public String modelVersion() {
        return modelVersion;
    }

    public String uid(Kind kind) {
        Objects.requireNonNull(kind, "kind");
        return derive("result", analysisId, modelVersion, kind.name());
    }

    public String srInstance() {
        return uid(Kind.SR_INSTANCE);
    }

    public String srSeries() {
        return uid(Kind.SR_SERIES);
    }

    public String scInstance() {
        return uid(Kind.SC_INSTANCE);
    }

    public String scSeries() {
        return uid(Kind.SC_SERIES);
    }

    public String tracking() {
        return uid(Kind.TRACKING);
    }

    /**
     * Device Observer UID (121012, DCM) of the model version: the same for every analysis the version makes, so a
     * PACS or a registry can group the results of one algorithm version; independent of the analysis.
     */
    public static String deviceObserver(String modelVersion) {
        return derive("device-observer", requireText(modelVersion, "modelVersion"));
    }

    /** Series of a tenant's study-level reports on one study by one model version (every revision in it). */
    public static String studySeries(String tenant, String studyInstanceUid, String modelVersion) {
        return derive("study-series", requireText(tenant, "tenant"), requireText(studyInstanceUid, "study"),
                requireText(modelVersion, "modelVersion"));
    }

    /**
     * SOP Instance UID of a study-level report: per tenant, study, model version and revision (the images it
     * covers and their outcomes), so a re-send lands on the same instance and a study that grew gets a new one.
     */
    public static String studyInstance(String tenant, String studyInstanceUid, String modelVersion, String revision) {
        return derive("study-instance", requireText(tenant, "tenant"), requireText(studyInstanceUid, "study"),
                requireText(modelVersion, "modelVersion"), requireText(revision, "revision"));
    }

    /** Tracking Unique Identifier of the study-level measurement group: one per study and model version. */
    public static String studyTracking(String tenant, String studyInstanceUid, String modelVersion) {
        return derive("study-tracking", requireText(tenant, "tenant"), requireText(studyInstanceUid, "study"),
                requireText(modelVersion, "modelVersion"));
    }

    /** True for a syntactically valid DICOM UID of at most 64 characters. */
    public static boolean isValid(String uid) {
        return uid != null && !uid.isEmpty() && uid.length() <= 64 && UID_SYNTAX.matcher(uid).matches();
    }

    private static String derive(String... parts) {
        ByteArrayOutputStream name = new ByteArrayOutputStream();
        for (String part : prepend(NAMESPACE, parts)) {
            byte[] b = part.getBytes(StandardCharsets.UTF_8);
            name.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
            name.writeBytes(b);
        }
        UUID uuid = UUID.nameUUIDFromBytes(name.toByteArray());
        byte[] bits = ByteBuffer.allocate(16)
                .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array();
        // at most 39 digits: "2.25." + 39 = 44 characters, within the 64 allowed
        return "2.25." + new BigInteger(1, bits);
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static String requireText(String s, String what) {
        Objects.requireNonNull(s, what);
        if (s.isBlank()) throw new IllegalArgumentException(what + " is blank");
        return s;
    }

    @Override
    public String toString() {
        return "ResultUids[analysisId=" + analysisId + ", modelVersion=" + modelVersion + "]";
    }
}
