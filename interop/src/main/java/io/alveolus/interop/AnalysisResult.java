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
 * @param studyInstanceUid DICOM Study Instance UID, or null when the image did not come as DICOM (PNG/JPEG)
 * @param status           COMPLETED, FAILED or NOT_APPLICABLE
 * @param probability      model output in [0, 1]; null when FAILED
 * @param positive         probability &gt;= threshold; null when FAILED
 * @param threshold        decision threshold in [0, 1]; null when FAILED
 * @param modelVersion     model version that produced the result
 * @param heatmapUrl       URL of the heat map image (PNG), or null
 * @param completedAt      when the analysis completed or failed
 * @param notApplicableReason why the model may not read this image (NOT_APPLICABLE only), else null
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
        Instant completedAt,
        String notApplicableReason) {

    /** NOT_APPLICABLE: the applicability gate refused the image; it never carries a probability. */
    public enum Status { COMPLETED, FAILED, NOT_APPLICABLE }

    public AnalysisResult(String analysisId, String tenant, String patientRef, String accession,
                          String studyInstanceUid, Status status, Double probability, Boolean positive,
                          Double threshold, String modelVersion, String heatmapUrl, Instant completedAt) {
        this(analysisId, tenant, patientRef, accession, studyInstanceUid, status, probability, positive, threshold,
                modelVersion, heatmapUrl, completedAt, null);
    }

    public AnalysisResult {
        Objects.requireNonNull(analysisId, "analysisId");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(patientRef, "patientRef");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(completedAt, "completedAt");
        if (status == Status.NOT_APPLICABLE && (probability != null || positive != null)) {
            throw new IllegalArgumentException("a NOT_APPLICABLE result has no probability");
        }
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
