package io.alveolus.interop;

import java.time.Instant;
import java.util.Objects;

/**
 * What {@link FhirReport} turns into FHIR: one analysis of one chest radiograph.
 *
 * @param analysisId       Alveolus' id of the analysis (stable: the FHIR resource ids derive from it)
 * @param tenant           tenant id
 * @param patientRef       the tenant's pseudonymous patient reference ({@link DicomMetadata#pseudonymise}), never
 *                         the raw patient id
 * @param accession        accession number, or null
 * @param studyInstanceUid DICOM Study Instance UID
 * @param status           COMPLETED or FAILED
 * @param probability      model output in [0, 1]; null when FAILED
 * @param positive         probability &gt;= threshold; null when FAILED
 * @param threshold        decision threshold in [0, 1]; null when FAILED
 * @param modelVersion     model version that produced the result
 * @param heatmapUrl       URL of the heat map image (PNG), or null
 * @param completedAt      when the analysis completed or failed
 */
public record AnalysisResult(
        String analysisId,
        String tenant,
        String patientRef,
        String accession,
        String studyInstanceUid,
        Status status,
        Double probability,
        Boolean positive,
        Double threshold,
        String modelVersion,
        String heatmapUrl,
        Instant completedAt) {

    public enum Status { COMPLETED, FAILED }

    public AnalysisResult {
        Objects.requireNonNull(analysisId, "analysisId");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(patientRef, "patientRef");
        Objects.requireNonNull(studyInstanceUid, "studyInstanceUid");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(completedAt, "completedAt");
        if (status == Status.COMPLETED) {
            Objects.requireNonNull(probability, "probability (COMPLETED)");
            Objects.requireNonNull(positive, "positive (COMPLETED)");
            Objects.requireNonNull(modelVersion, "modelVersion (COMPLETED)");
            if (!(probability >= 0.0 && probability <= 1.0)) {
                throw new IllegalArgumentException("probability outside [0, 1]: " + probability);
            }
            if (threshold != null && !(threshold >= 0.0 && threshold <= 1.0)) {
                throw new IllegalArgumentException("threshold outside [0, 1]: " + threshold);
            }
        }
    }
}
