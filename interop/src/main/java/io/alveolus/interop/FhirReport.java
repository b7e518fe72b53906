package io.alveolus.interop;

import ca.uhn.fhir.context.FhirContext;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.UUID;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Media;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;

/**
 * Turns an {@link AnalysisResult} into a FHIR R4 {@code Bundle} (type collection) for a hospital's EHR/RIS:
 * <ul>
 *   <li>{@code DiagnosticReport}: status final (cancelled when the analysis failed), category RAD, code LOINC 18748-4
 *       "Diagnostic imaging study", subject = the tenant's pseudonymous patient identifier, identifiers for the
 *       analysis and the accession number, {@code imagingStudy} by Study Instance UID, a conclusion stating that
 *       this is decision support and not a diagnosis, conclusionCode SNOMED CT 233604007 "Pneumonia" when positive
 *       (text "No pneumonia detected" otherwise), result → the Observation, media → the Media;</li>
 *   <li>{@code Observation}: the model probability (valueQuantity, UCUM unit 1), interpretation POS/NEG, the
 *       decision threshold as a component, the model version as method and device name;</li>
 *   <li>{@code Media}: the heat map as an attachment URL (only when there is one).</li>
 * </ul>
 * Resource ids are name-based UUIDs of the analysis id, so rebuilding the same analysis yields the same bundle.
 * Thread-safe.
 */
public final class FhirReport {

    /** Identifier system of Alveolus analysis ids. */
    public static final String ANALYSIS_ID_SYSTEM = "https://alveolus.io/fhir/sid/analysis-id";
    /** Code system of Alveolus' own codes (the probability observation, the threshold component). */
    public static final String ALVEOLUS_CODES = "https://alveolus.io/fhir/CodeSystem/alveolus";
    public static final String LOINC = "http://loinc.org";
    public static final String SNOMED = "http://snomed.info/sct";
    public static final String DICOM_UID_SYSTEM = "urn:dicom:uid";

    static final String CONCLUSION_DISCLAIMER = "Automated decision support, not a diagnosis: "
            + "a qualified clinician must review the images and make the diagnosis.";

    private static volatile FhirContext context;

    private FhirReport() {
    }

    /** The shared FHIR R4 context (expensive to create; created once). */
    public static FhirContext fhirContext() {
        FhirContext c = context;
        if (c == null) {
            synchronized (FhirReport.class) {
                c = context;
                if (c == null) context = c = FhirContext.forR4();
            }
        }
        return c;
    }

    /** Patient identifier system for a tenant's pseudonymous patient references. */
    public static String patientIdentifierSystem(String tenant) {
        return "https://alveolus.io/fhir/sid/" + tenant + "/patient-pseudonym";
    }

    /** Accession number identifier system of a tenant. */
    public static String accessionSystem(String tenant) {
        return "https://alveolus.io/fhir/sid/" + tenant + "/accession";
    }

    /** The bundle as FHIR JSON ({@code application/fhir+json}). */
    public static String build(AnalysisResult r) {
        return fhirContext().newJsonParser().setPrettyPrint(false).encodeResourceToString(buildBundle(r));
    }

    /** The bundle as HAPI objects. */
    public static Bundle buildBundle(AnalysisResult r) {
        String reportId = uuid(r, "DiagnosticReport");
        String observationId = uuid(r, "Observation");
        String mediaId = uuid(r, "Media");
        Date completed = Date.from(r.completedAt());
        boolean completedOk = r.status() == AnalysisResult.Status.COMPLETED;

        Reference subject = new Reference()
                .setType("Patient")
                .setIdentifier(new Identifier().setSystem(patientIdentifierSystem(r.tenant())).setValue(r.patientRef()))
                .setDisplay("Pseudonymous patient");

        DiagnosticReport report = new DiagnosticReport();
        report.setId(reportId);
        report.addIdentifier().setSystem(ANALYSIS_ID_SYSTEM).setValue(r.analysisId());
        if (r.accession() != null && !r.accession().isBlank()) {
            report.addIdentifier(accessionIdentifier(r));
        }
        report.setStatus(completedOk ? DiagnosticReport.DiagnosticReportStatus.FINAL
                : DiagnosticReport.DiagnosticReportStatus.CANCELLED);
        report.addCategory(new CodeableConcept().addCoding(new Coding(
                "http://terminology.hl7.org/CodeSystem/v2-0074", "RAD", "Radiology")));
        report.setCode(new CodeableConcept()
                .addCoding(new Coding(LOINC, "18748-4", "Diagnostic imaging study"))
                .setText("Chest X-ray, automated pneumonia decision support"));
        report.setSubject(subject);
        report.setEffective(new DateTimeType(completed));
        report.setIssued(completed);
        if (r.studyInstanceUid() != null && !r.studyInstanceUid().isBlank()) { // PNG/JPEG uploads have none
            report.addImagingStudy(new Reference()
                    .setType("ImagingStudy")
                    .setIdentifier(new Identifier().setSystem(DICOM_UID_SYSTEM)
                            .setValue("urn:oid:" + r.studyInstanceUid()))
                    .setDisplay("Study Instance UID " + r.studyInstanceUid()));
        }

        Bundle bundle = new Bundle();
        bundle.setId(uuid(r, "Bundle"));
        bundle.setType(Bundle.BundleType.COLLECTION);
        bundle.setTimestamp(completed);
        bundle.addEntry().setFullUrl("urn:uuid:" + reportId).setResource(report);

        if (r.status() == AnalysisResult.Status.NOT_APPLICABLE) {
            // the model read nothing: a final report that says so, and no probability anywhere
            report.setStatus(DiagnosticReport.DiagnosticReportStatus.FINAL);
            report.setConclusion("Not applicable: the model does not read this image ("
                    + (r.notApplicableReason() == null ? "outside its intended use" : r.notApplicableReason())
                    + "). No pneumonia estimate was made. " + CONCLUSION_DISCLAIMER);
            report.addConclusionCode(new CodeableConcept().addCoding(new Coding(ALVEOLUS_CODES, "not-applicable",
                    "Image outside the model's intended use")).setText("Not applicable"));
            report.setText(narrative(report.getConclusion()));
            return bundle;
        }
        if (!completedOk) {
            report.setConclusion("The automated analysis could not be completed; no result is available. "
                    + CONCLUSION_DISCLAIMER);
            report.setText(narrative(report.getConclusion()));
            return bundle;
        }

        boolean positive = r.positive();
        String percent = String.format(java.util.Locale.ROOT, "%.1f%%", r.probability() * 100);
        report.setConclusion((positive
                ? "Findings suggestive of pneumonia (model probability " + percent + ")."
                : "No pneumonia detected (model probability " + percent + ").")
                + " " + CONCLUSION_DISCLAIMER);
        report.addConclusionCode(positive
                ? new CodeableConcept().addCoding(new Coding(SNOMED, "233604007", "Pneumonia")).setText("Pneumonia")
                : new CodeableConcept().setText("No pneumonia detected"));

        report.setText(narrative(report.getConclusion()));

        Observation observation = new Observation();
        observation.setId(observationId);
        observation.addIdentifier().setSystem(ANALYSIS_ID_SYSTEM).setValue(r.analysisId());
        observation.setStatus(Observation.ObservationStatus.FINAL);
        observation.addCategory(new CodeableConcept().addCoding(new Coding(
                "http://terminology.hl7.org/CodeSystem/observation-category", "imaging", "Imaging")));
        observation.setCode(new CodeableConcept()
                .addCoding(new Coding(ALVEOLUS_CODES, "pneumonia-probability", "Pneumonia probability (model output)"))
                .setText("Pneumonia probability (model output)"));
        observation.setSubject(subject.copy());
        observation.setEffective(new DateTimeType(completed));
        observation.setIssued(completed);
        observation.setValue(probabilityQuantity(r.probability()));
        observation.addInterpretation(new CodeableConcept().addCoding(new Coding(
                "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                positive ? "POS" : "NEG", positive ? "Positive" : "Negative")));
        observation.setMethod(new CodeableConcept()
                .setText("Alveolus chest X-ray classifier, model version " + r.modelVersion()));
        if (r.threshold() != null) {
            observation.addComponent()
                    .setCode(new CodeableConcept()
                            .addCoding(new Coding(ALVEOLUS_CODES, "decision-threshold", "Decision threshold"))
                            .setText("Decision threshold"))
                    .setValue(probabilityQuantity(r.threshold()));
        }
        observation.addNote().setText("Model version " + r.modelVersion() + ". " + CONCLUSION_DISCLAIMER);
        observation.setText(narrative("Pneumonia probability " + percent + " (" + (positive ? "positive" : "negative")
                + (r.threshold() != null ? " at threshold " + r.threshold() : "") + "), model version "
                + r.modelVersion() + "."));
        bundle.addEntry().setFullUrl("urn:uuid:" + observationId).setResource(observation);
        report.addResult(new Reference("urn:uuid:" + observationId));

        if (r.heatmapUrl() != null && !r.heatmapUrl().isBlank()) {
            Media media = new Media();
            media.setId(mediaId);
            media.addIdentifier().setSystem(ANALYSIS_ID_SYSTEM).setValue(r.analysisId());
            media.setStatus(Media.MediaStatus.COMPLETED);
            media.setType(new CodeableConcept().addCoding(new Coding(
                    "http://terminology.hl7.org/CodeSystem/media-type", "image", "Image")));
            media.setSubject(subject.copy());
            media.setCreated(new DateTimeType(completed));
            media.setContent(new Attachment()
                    .setContentType("image/png")
                    .setUrl(r.heatmapUrl())
                    .setTitle("Heat map: image regions that drove the model output"));
            media.setText(narrative("Heat map of the regions that drove the model output: " + r.heatmapUrl()));
            bundle.addEntry().setFullUrl("urn:uuid:" + mediaId).setResource(media);
            report.addMedia().setComment("Heat map (model attention)")
                    .setLink(new Reference("urn:uuid:" + mediaId));
        }
        return bundle;
    }

    private static Identifier accessionIdentifier(AnalysisResult r) {
        Identifier id = new Identifier().setSystem(accessionSystem(r.tenant())).setValue(r.accession());
        id.setType(new CodeableConcept().addCoding(new Coding(
                "http://terminology.hl7.org/CodeSystem/v2-0203", "ACSN", "Accession ID")));
        return id;
    }

    private static Narrative narrative(String text) {
        String escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
        Narrative n = new Narrative().setStatus(Narrative.NarrativeStatus.GENERATED);
        n.setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>" + escaped + "</p></div>");
        return n;
    }

    private static Quantity probabilityQuantity(double v) {
        return new Quantity().setValue(v).setUnit("1").setSystem("http://unitsofmeasure.org").setCode("1");
    }

    private static String uuid(AnalysisResult r, String kind) {
        return UUID.nameUUIDFromBytes((r.tenant() + "/" + r.analysisId() + "/" + kind)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

}
