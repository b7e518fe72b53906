package io.alveolus.common.events;

import java.time.Instant;
import java.util.UUID;

/**
 * Published by ingest once the original is durable in the object store. Carries no pixel data and no
 * patient name: the patient is only the hospital's pseudonymous reference.
 */
public record ImageReceived(
        UUID analysisId,
        String tenant,
        String studyId,
        String patientRef,
        String referringPhysician,
        Priority priority,
        String imageKey,
        String sha256,
        String contentType,
        long sizeBytes,
        Instant receivedAt,
        DicomRef dicom,
        Integer patientAgeYears) {

    /** Without the patient's age (then unknown: the model's default population applies). */
    public ImageReceived(UUID analysisId, String tenant, String studyId, String patientRef, String referringPhysician,
                         Priority priority, String imageKey, String sha256, String contentType, long sizeBytes,
                         Instant receivedAt, DicomRef dicom) {
        this(analysisId, tenant, studyId, patientRef, referringPhysician, priority, imageKey, sha256, contentType,
                sizeBytes, receivedAt, dicom, null);
    }

    /**
     * DICOM identifiers when the image came as DICOM, else null; {@code notApplicableReason} is set when its
     * metadata already shows the model may not read it (e.g. a lateral view, a CT), decided at ingest.
     */
    public record DicomRef(String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid,
                           String viewPosition, String notApplicableReason) {
        public DicomRef(String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid,
                        String viewPosition) {
            this(studyInstanceUid, seriesInstanceUid, sopInstanceUid, viewPosition, null);
        }
    }

    public String partitionKey() {
        return tenant + "/" + studyId;
    }
}
