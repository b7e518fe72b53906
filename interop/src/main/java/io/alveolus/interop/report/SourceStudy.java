package io.alveolus.interop.report;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import java.util.Objects;

/**
 * The patient and study of the source radiograph, copied into every result object so that the PACS files the result
 * under the same patient and study, plus the source instance the result refers to.
 *
 * <p>Type 2 attributes of the Patient and General Study modules (name, id, birth date, sex, study date/time, study id,
 * accession, referring physician) are never null: absent ones are empty strings and are written present with zero
 * length, as the IODs require. Issuer of Patient ID is type 3: null when the source has none, and then left out.
 *
 * <p>{@link #toString()} names no patient attribute: this record holds identifying data and must not reach a log.
 */
public record SourceStudy(
        String patientName,
        String patientId,
        String issuerOfPatientId,
        String patientBirthDate,
        String patientSex,
        String studyInstanceUid,
        String studyDate,
        String studyTime,
        String studyId,
        String accessionNumber,
        String referringPhysicianName,
        String sopClassUid,
        String sopInstanceUid,
        String seriesInstanceUid) {

    public SourceStudy {
        patientName = orEmpty(patientName);
        patientId = orEmpty(patientId);
        issuerOfPatientId = issuerOfPatientId == null || issuerOfPatientId.isEmpty() ? null : issuerOfPatientId;
        patientBirthDate = orEmpty(patientBirthDate);
        patientSex = orEmpty(patientSex);
        studyDate = orEmpty(studyDate);
        studyTime = orEmpty(studyTime);
        studyId = orEmpty(studyId);
        accessionNumber = orEmpty(accessionNumber);
        referringPhysicianName = orEmpty(referringPhysicianName);
        // without these the result cannot be filed under the study nor point at the image it is about
        requireUid(studyInstanceUid, "StudyInstanceUID");
        requireUid(sopClassUid, "SOPClassUID");
        requireUid(sopInstanceUid, "SOPInstanceUID");
        requireUid(seriesInstanceUid, "SeriesInstanceUID");
    }

    /** Copies the attributes from a parsed source image (PixelMed has decoded its character set already). */
    public static SourceStudy from(AttributeList source) {
        Objects.requireNonNull(source, "source");
        return new SourceStudy(
                get(source, TagFromName.PatientName),
                get(source, TagFromName.PatientID),
                get(source, TagFromName.IssuerOfPatientID),
                get(source, TagFromName.PatientBirthDate),
                get(source, TagFromName.PatientSex),
                get(source, TagFromName.StudyInstanceUID),
                get(source, TagFromName.StudyDate),
                get(source, TagFromName.StudyTime),
                get(source, TagFromName.StudyID),
                get(source, TagFromName.AccessionNumber),
                get(source, TagFromName.ReferringPhysicianName),
                get(source, TagFromName.SOPClassUID),
                get(source, TagFromName.SOPInstanceUID),
                get(source, TagFromName.SeriesInstanceUID));
    }

    /** Writes the Patient and General Study modules into {@code target} (its strings encoded as UTF-8). */
    void putPatientAndStudy(AttributeList target) throws DicomException {
        Dicom.put(target, TagFromName.PatientName, patientName);
        Dicom.put(target, TagFromName.PatientID, patientId);
        if (issuerOfPatientId != null) Dicom.put(target, TagFromName.IssuerOfPatientID, issuerOfPatientId);
        Dicom.put(target, TagFromName.PatientBirthDate, patientBirthDate);
        Dicom.put(target, TagFromName.PatientSex, patientSex);
        Dicom.put(target, TagFromName.StudyInstanceUID, studyInstanceUid);
        Dicom.put(target, TagFromName.StudyDate, studyDate);
        Dicom.put(target, TagFromName.StudyTime, studyTime);
        Dicom.put(target, TagFromName.StudyID, studyId);
        Dicom.put(target, TagFromName.AccessionNumber, accessionNumber);
        Dicom.put(target, TagFromName.ReferringPhysicianName, referringPhysicianName);
    }

    private static String get(AttributeList list, AttributeTag tag) {
        // multi-valued strings (a PN with several values is not expected) are kept as DICOM writes them
        String v = Attribute.getDelimitedStringValuesOrEmptyString(list, tag);
        return v == null ? "" : v.trim();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static void requireUid(String uid, String what) {
        if (uid == null || uid.isEmpty()) {
            throw new IllegalArgumentException("source " + what + " missing: a result needs it to be filed and to "
                    + "reference its image");
        }
        if (!ResultUids.isValid(uid)) throw new IllegalArgumentException("source " + what + " is not a valid UID");
    }

    @Override
    public String toString() {
        // no patient attribute here: this ends up in logs and exception messages
        return "SourceStudy[studyInstanceUid=" + studyInstanceUid + ", seriesInstanceUid=" + seriesInstanceUid
                + ", sopInstanceUid=" + sopInstanceUid + ", sopClassUid=" + sopClassUid + "]";
    }
}
