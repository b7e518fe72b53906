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
        DicomRef dicom) {

    /** DICOM identifiers when the image came as DICOM, else null. */
    public record DicomRef(String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid,
                           String viewPosition) {
    }

    public String partitionKey() {
        return tenant + "/" + studyId;
    }
}
