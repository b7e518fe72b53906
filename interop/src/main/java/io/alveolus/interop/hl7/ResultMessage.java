package io.alveolus.interop.hl7;

import io.alveolus.interop.AnalysisResult;
import io.alveolus.interop.AnalysisResult.Status;
import java.time.Instant;
import java.util.Objects;

/**
 * What {@link OruMessage} turns into an HL7 v2.5.1 ORU^R01 for the hospital's RIS: one analysis of one chest
 * radiograph. Unlike {@link io.alveolus.interop.AnalysisResult} it carries the hospital's own patient identifier and
 * name (the RIS files results by them), so it must never be logged; {@link #toString()} leaves them out.
 *
 * @param sendingApplication   MSH-3, normally {@link #ALVEOLUS}
 * @param sendingFacility      MSH-4, the tenant id
 * @param receivingApplication MSH-5, the RIS's application name from its configuration
 * @param receivingFacility    MSH-6, the RIS's facility from its configuration
 * @param analysisId           Alveolus' analysis id: with {@code modelVersion} it makes the message control id
 * @param patientId            PID-3.1, the hospital's patient identifier (not the pseudonym)
 * @param patientIdAuthority   PID-3.4 assigning authority (namespace id), or null when not known
 * @param patientFamilyName    PID-5.1, or null/empty
 * @param patientGivenName     PID-5.2, or null/empty
 * @param accession            accession number: OBR-3 filler order number and OBR-18; required, the RIS matches the
 *                             result to its order by it
 * @param placerOrderNumber    OBR-2 / ORC-2, or null: then the accession goes there too
 * @param studyInstanceUid     DICOM Study Instance UID, or null (image not received as DICOM)
 * @param procedure            OBR-4 as the RIS ordered it, or null for {@link OruMessage#DEFAULT_PROCEDURE}
 * @param observedAt           OBR-7 / OBX-14: when the image was acquired if known, else null ({@code reportedAt})
 * @param reportedAt           OBR-22 / OBX-19: when the analysis completed or failed
 * @param status               COMPLETED, NOT_APPLICABLE or FAILED
 * @param probability          model output in [0, 1] (COMPLETED only)
 * @param positive             probability &gt;= threshold (COMPLETED only)
 * @param threshold            decision threshold in [0, 1], or null (COMPLETED only)
 * @param modelName            algorithm name, e.g. "alveolus-pneumonia"
 * @param modelVersion         algorithm version; part of the control id, required for every outcome
 * @param reason               why not analysed (NOT_APPLICABLE) or why it failed (FAILED); must not contain patient
 *                             data; null means "no reason given"
 */
public record ResultMessage(
        String sendingApplication,
        String sendingFacility,
        String receivingApplication,
        String receivingFacility,
        String analysisId,
        String patientId,
        String patientIdAuthority,
        String patientFamilyName,
        String patientGivenName,
        String accession,
        String placerOrderNumber,
        String studyInstanceUid,
        Code procedure,
        Instant observedAt,
        Instant reportedAt,
        Status status,
        Double probability,
        Boolean positive,
        Double threshold,
        String modelName,
        String modelVersion,
        String reason) {

    public static final String ALVEOLUS = "ALVEOLUS";

    /** A coded value (CE/CWE): code, display text, coding system (HL7 table 0396, e.g. "LN", "SCT", "99ALVEOLUS"). */
    public record Code(String code, String text, String system) {
        public Code {
            requireText(code, "code");
            requireText(system, "system");
        }
    }

    public ResultMessage {
        requireText(sendingApplication, "sendingApplication");
        requireText(sendingFacility, "sendingFacility");
        requireText(receivingApplication, "receivingApplication");
        requireText(receivingFacility, "receivingFacility");
        requireText(analysisId, "analysisId");
        requireText(patientId, "patientId");
        requireText(accession, "accession");
        requireText(modelVersion, "modelVersion");
        Objects.requireNonNull(reportedAt, "reportedAt");
        Objects.requireNonNull(status, "status");
        if (status == Status.COMPLETED) {
            Objects.requireNonNull(probability, "probability (COMPLETED)");
            Objects.requireNonNull(positive, "positive (COMPLETED)");
            if (!(probability >= 0.0 && probability <= 1.0)) {
                throw new IllegalArgumentException("probability outside [0, 1]: " + probability);
            }
            if (threshold != null && !(threshold >= 0.0 && threshold <= 1.0)) {
                throw new IllegalArgumentException("threshold outside [0, 1]: " + threshold);
            }
        } else if (probability != null || positive != null) {
            // a result without an analysis must never be readable as a negative one
            throw new IllegalArgumentException("a " + status + " result has no probability");
        }
    }

    /** The patient and order as the hospital knows them (from the study's DICOM header or the RIS order). */
    public record Patient(String id, String idAuthority, String familyName, String givenName) {
    }

    /**
     * The message for an {@link AnalysisResult}, which itself carries only the pseudonym: the delivery code adds the
     * hospital's patient identity, the RIS's names and what the order says.
     *
     * @param failureReason FAILED only: why (AnalysisResult has no field for it), or null
     * @throws IllegalArgumentException when the result has no accession number (the RIS could not file it)
     */
    public static ResultMessage of(AnalysisResult a, String receivingApplication, String receivingFacility,
                                   Patient patient, String placerOrderNumber, Code procedure, Instant observedAt,
                                   String modelName, String failureReason) {
        Objects.requireNonNull(patient, "patient");
        String reason = switch (a.status()) {
            case NOT_APPLICABLE -> a.notApplicableReason();
            case FAILED -> failureReason;
            case COMPLETED -> null;
        };
        // a failure before the model ran may have no version; the control id still has to be stable
        String version = a.modelVersion() != null ? a.modelVersion() : "unknown";
        return new ResultMessage(ALVEOLUS, a.tenant(), receivingApplication, receivingFacility, a.analysisId(),
                patient.id(), patient.idAuthority(), patient.familyName(), patient.givenName(), a.accession(),
                placerOrderNumber, a.studyInstanceUid(), procedure, observedAt, a.completedAt(), a.status(),
                a.status() == Status.COMPLETED ? a.probability() : null,
                a.status() == Status.COMPLETED ? a.positive() : null,
                a.status() == Status.COMPLETED ? a.threshold() : null, modelName, version, reason);
    }

    /** Everything but the patient's identifier and name, so that logging a ResultMessage leaks neither. */
    @Override
    public String toString() {
        return "ResultMessage[analysisId=" + analysisId + ", tenant=" + sendingFacility + ", ris="
                + receivingApplication + "@" + receivingFacility + ", status=" + status + ", modelVersion="
                + modelVersion + "]";
    }

    private static void requireText(String s, String name) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
    }
}
