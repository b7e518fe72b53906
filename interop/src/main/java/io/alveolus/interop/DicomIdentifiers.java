package io.alveolus.interop;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The DICOM identifiers Alveolus stores, checked against the DICOM rules (PS3.5 §9.1) and the columns that hold
 * them, in one place: ingest refuses what fails here before anything is stored or published, and the worker
 * fails such an event alone instead of retrying it.
 */
public final class DicomIdentifiers {

    /** PS3.5 §9.1: at most 64 characters of digits and dots; components non-empty, no leading zero unless "0". */
    public static final int MAX_UID = 64;
    /** ViewPosition is a CS value: at most 16 characters (and the column is varchar(16)). */
    public static final int MAX_VIEW_POSITION = 16;
    private static final Pattern UID = Pattern.compile("^(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))*$");

    private DicomIdentifiers() {
    }

    public static boolean isValidUid(String uid) {
        return uid != null && uid.length() <= MAX_UID && UID.matcher(uid).matches();
    }

    /**
     * @return why these identifiers cannot be stored, or empty; the SOP Instance UID is required, the study and
     *         series UIDs are optional but must be valid when present
     */
    public static Optional<String> problem(String studyUid, String seriesUid, String sopUid, String viewPosition) {
        if (sopUid == null || sopUid.isBlank()) {
            return Optional.of("the DICOM file has no SOP Instance UID");
        }
        for (String[] f : new String[][] {{"SOP Instance UID", sopUid}, {"Study Instance UID", studyUid},
                {"Series Instance UID", seriesUid}}) {
            if (f[1] != null && !f[1].isBlank() && !isValidUid(f[1])) {
                return Optional.of("the " + f[0] + " is not a valid DICOM UID (at most " + MAX_UID
                        + " characters of digits and dots, no empty component, no leading zero); it has "
                        + f[1].length() + " characters");
            }
        }
        if (viewPosition != null && viewPosition.length() > MAX_VIEW_POSITION) {
            return Optional.of("the ViewPosition has " + viewPosition.length() + " characters; DICOM allows at most "
                    + MAX_VIEW_POSITION);
        }
        return Optional.empty();
    }
}
