package io.alveolus.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Media;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Quantity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FhirReportTest {

    private static FhirValidator validator;
    private static final String STUDY = "1.2.826.0.1.3680043.10.1234.1";
    private static final Instant AT = Instant.parse("2026-11-29T03:00:00Z");

    @BeforeAll
    static void validator() {
        FhirContext ctx = FhirReport.fhirContext();
        ValidationSupportChain chain = new ValidationSupportChain(
                new DefaultProfileValidationSupport(ctx),
                new CommonCodeSystemsTerminologyService(ctx),
                new InMemoryTerminologyServerValidationSupport(ctx),
                new SnapshotGeneratingValidationSupport(ctx));
        validator = ctx.newValidator().registerValidatorModule(new FhirInstanceValidator(chain));
    }

    static AnalysisResult positive() {
        return new AnalysisResult("an-123", "hospital-a", DicomMetadata.pseudonymise("s", "hospital-a", "PAT-4711"),
                "ACC-0042", STUDY, AnalysisResult.Status.COMPLETED, 0.87, true, 0.5, "pneumonia-v1",
                "https://alveolus.example/api/analyses/an-123/heatmap.png", AT);
    }

    static AnalysisResult negative() {
        return new AnalysisResult("an-124", "hospital-a", "ab12", null, STUDY, AnalysisResult.Status.COMPLETED,
                0.12, false, 0.5, "pneumonia-v1", null, AT);
    }

    static AnalysisResult failed() {
        return new AnalysisResult("an-125", "hospital-a", "ab12", "ACC-1", STUDY, AnalysisResult.Status.FAILED,
                null, null, null, null, null, AT);
    }

    private static void assertValid(IBaseResource resource) {
        ValidationResult result = validator.validateWithResult(resource);
        List<SingleValidationMessage> errors = result.getMessages().stream()
                .filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
                .collect(Collectors.toList());
        assertTrue(errors.isEmpty(), () -> resource.fhirType() + " has validation errors:\n" + errors.stream()
                .map(m -> m.getSeverity() + " " + m.getLocationString() + ": " + m.getMessage())
                .collect(Collectors.joining("\n")));
    }

    private static Bundle parse(String json) {
        return FhirReport.fhirContext().newJsonParser().parseResource(Bundle.class, json);
    }

    @Test
    void positiveBundleValidatesAndCarriesTheResult() {
        String json = FhirReport.build(positive());
        Bundle bundle = parse(json);
        assertValid(bundle);
        bundle.getEntry().forEach(e -> assertValid(e.getResource()));
        assertEquals(Bundle.BundleType.COLLECTION, bundle.getType());
        assertEquals(3, bundle.getEntry().size());
        assertFalse(json.contains("PAT-4711"), "raw patient id must never reach FHIR");

        DiagnosticReport report = (DiagnosticReport) bundle.getEntry().get(0).getResource();
        assertEquals(DiagnosticReport.DiagnosticReportStatus.FINAL, report.getStatus());
        assertEquals("RAD", report.getCategoryFirstRep().getCodingFirstRep().getCode());
        assertEquals("18748-4", report.getCode().getCodingFirstRep().getCode());
        assertEquals(FhirReport.patientIdentifierSystem("hospital-a"), report.getSubject().getIdentifier().getSystem());
        assertEquals(positive().patientRef(), report.getSubject().getIdentifier().getValue());
        assertEquals("urn:oid:" + STUDY, report.getImagingStudyFirstRep().getIdentifier().getValue());
        assertTrue(report.getIdentifier().stream().anyMatch(i -> "ACC-0042".equals(i.getValue())
                && "ACSN".equals(i.getType().getCodingFirstRep().getCode())));
        assertTrue(report.getConclusion().contains("not a diagnosis"), report.getConclusion());
        assertEquals("233604007", report.getConclusionCodeFirstRep().getCodingFirstRep().getCode());
        assertEquals("http://snomed.info/sct", report.getConclusionCodeFirstRep().getCodingFirstRep().getSystem());

        Observation obs = (Observation) bundle.getEntry().get(1).getResource();
        assertEquals(bundle.getEntry().get(1).getFullUrl(), report.getResultFirstRep().getReference());
        Quantity q = obs.getValueQuantity();
        assertEquals(0.87, q.getValue().doubleValue(), 1e-9);
        assertEquals("1", q.getCode());
        assertEquals("http://unitsofmeasure.org", q.getSystem());
        assertEquals("POS", obs.getInterpretationFirstRep().getCodingFirstRep().getCode());
        assertTrue(obs.getMethod().getText().contains("pneumonia-v1"));
        assertEquals(0.5, obs.getComponentFirstRep().getValueQuantity().getValue().doubleValue(), 1e-9);

        Media media = (Media) bundle.getEntry().get(2).getResource();
        assertEquals(bundle.getEntry().get(2).getFullUrl(), report.getMediaFirstRep().getLink().getReference());
        assertEquals(positive().heatmapUrl(), media.getContent().getUrl());
        assertEquals("image/png", media.getContent().getContentType());
    }

    @Test
    void negativeBundleValidates() {
        Bundle bundle = parse(FhirReport.build(negative()));
        assertValid(bundle);
        bundle.getEntry().forEach(e -> assertValid(e.getResource()));
        assertEquals(2, bundle.getEntry().size(), "no heat map, no Media");
        DiagnosticReport report = (DiagnosticReport) bundle.getEntry().get(0).getResource();
        assertEquals("No pneumonia detected", report.getConclusionCodeFirstRep().getText());
        assertTrue(report.getConclusionCodeFirstRep().getCoding().isEmpty());
        assertTrue(report.getConclusion().startsWith("No pneumonia detected"));
        Observation obs = (Observation) bundle.getEntry().get(1).getResource();
        assertEquals("NEG", obs.getInterpretationFirstRep().getCodingFirstRep().getCode());
    }

    @Test
    void pngAnalysisWithoutDicomStudyUidGivesAValidBundle() {
        // PNG/JPEG uploads have no Study Instance UID: this threw NullPointerException (HTTP 500) before
        AnalysisResult png = new AnalysisResult("an-126", "hospital-a", "ab12", "ACC-7", null,
                AnalysisResult.Status.COMPLETED, 0.91, true, 0.5, "pneumonia-v2", null, AT);
        Bundle bundle = parse(FhirReport.build(png));
        assertValid(bundle);
        DiagnosticReport report = (DiagnosticReport) bundle.getEntry().get(0).getResource();
        assertTrue(report.getImagingStudy().isEmpty(), "no ImagingStudy reference without a DICOM study");
        assertEquals(2, bundle.getEntry().size(), "report + observation");
    }

    @Test
    void notApplicableIsAFinalReportWithoutAnyProbability() {
        AnalysisResult na = new AnalysisResult("an-127", "hospital-a", "ab12", null, null,
                AnalysisResult.Status.NOT_APPLICABLE, null, null, null, "pneumonia-v2", null, AT,
                "view LL is not frontal (PA/AP)");
        String json = FhirReport.build(na);
        Bundle bundle = parse(json);
        assertValid(bundle);
        assertEquals(1, bundle.getEntry().size(), "no Observation: the model made no estimate");
        DiagnosticReport report = (DiagnosticReport) bundle.getEntry().get(0).getResource();
        assertEquals(DiagnosticReport.DiagnosticReportStatus.FINAL, report.getStatus());
        assertTrue(report.getConclusion().contains("view LL is not frontal"));
        assertEquals("not-applicable", report.getConclusionCodeFirstRep().getCodingFirstRep().getCode());
        assertFalse(json.contains("pneumonia-probability"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new AnalysisResult("x", "t", "p", null, null,
                AnalysisResult.Status.NOT_APPLICABLE, 0.4, false, 0.5, "v", null, AT, "r"));
    }

    @Test
    void failedAnalysisIsACancelledReportWithoutResult() {
        Bundle bundle = parse(FhirReport.build(failed()));
        assertValid(bundle);
        assertEquals(1, bundle.getEntry().size());
        DiagnosticReport report = (DiagnosticReport) bundle.getEntry().get(0).getResource();
        assertEquals(DiagnosticReport.DiagnosticReportStatus.CANCELLED, report.getStatus());
        assertNotNull(report.getConclusion());
        assertTrue(report.getConclusionCode().isEmpty());
    }

    @Test
    void validatorCatchesAnInvalidReport() {
        // guards the tests above against a validator that accepts everything
        DiagnosticReport broken = new DiagnosticReport(); // no status, no code: both are required
        ValidationResult result = validator.validateWithResult(broken);
        assertTrue(result.getMessages().stream().anyMatch(m -> m.getSeverity() == ResultSeverityEnum.ERROR),
                result.getMessages().toString());
        Bundle bundle = FhirReport.buildBundle(positive());
        ((Observation) bundle.getEntry().get(1).getResource()).getValueQuantity().setSystem("not a uri at all");
        bundle.getEntry().get(1).setFullUrl("urn:uuid:not-a-uuid");
        assertFalse(validator.validateWithResult(bundle).isSuccessful());
    }

    @Test
    void warningsAreOnlyAboutCodesNoTerminologyServerKnows() {
        ValidationResult result = validator.validateWithResult(FhirReport.buildBundle(positive()));
        result.getMessages().stream()
                .filter(m -> m.getSeverity() == ResultSeverityEnum.WARNING)
                .forEach(m -> System.out.println("FHIR warning: " + m.getLocationString() + ": " + m.getMessage()));
    }

    @Test
    void sameAnalysisGivesTheSameBundle() {
        assertEquals(FhirReport.build(positive()), FhirReport.build(positive()));
    }
}
