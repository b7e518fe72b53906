package io.alveolus.interop.hl7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.v251.datatype.CWE;
import ca.uhn.hl7v2.model.v251.datatype.HD;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_OBSERVATION;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_ORDER_OBSERVATION;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.model.v251.segment.OBR;
import ca.uhn.hl7v2.model.v251.segment.OBX;
import ca.uhn.hl7v2.model.v251.segment.PID;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.util.Terser;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import io.alveolus.interop.AnalysisResult;
import io.alveolus.interop.AnalysisResult.Status;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OruMessageTest {

    static final String STUDY = "1.2.826.0.1.3680043.10.1234.1";
    static final Instant OBSERVED = Instant.parse("2026-11-29T02:40:00Z");
    static final Instant REPORTED = Instant.parse("2026-11-29T03:00:00Z");

    private static HapiContext context;
    /** The receiving side: HAPI's pipe parser with its default validation, as a RIS built on HAPI would parse. */
    private static PipeParser parser;

    @BeforeAll
    static void parser() {
        context = new DefaultHapiContext(ValidationContextFactory.defaultValidation());
        parser = context.getPipeParser();
    }

    @AfterAll
    static void close() throws IOException {
        context.close();
    }

    static ResultMessage result(String analysisId, String accession, Status status, Double probability,
                                Boolean positive, String reason) {
        return new ResultMessage(ResultMessage.ALVEOLUS, "hospital-a", "RIS", "HOSP-A", analysisId,
                "PAT-4711", "HOSP-A-MRN", "Müller|Smith", "Anna", accession, "ORD-77", STUDY, null, OBSERVED,
                REPORTED, status, probability, positive, status == Status.COMPLETED ? 0.5 : null,
                "alveolus-pneumonia", "pneumonia-v1", reason);
    }

    static ResultMessage positive() {
        return result("an-123", "ACC-0042", Status.COMPLETED, 0.87, true, null);
    }

    static ResultMessage negative() {
        return result("an-124", "ACC-0043", Status.COMPLETED, 0.12, false, null);
    }

    static ResultMessage notApplicable() {
        return result("an-125", "ACC-0044", Status.NOT_APPLICABLE, null, null, "lateral view, not frontal");
    }

    static ResultMessage failed() {
        return result("an-126", "ACC-0045", Status.FAILED, null, null, "image could not be decoded\n(JPEG 2000)");
    }

    private static ORU_R01 roundTrip(ResultMessage r) throws HL7Exception {
        String er7 = OruMessage.encode(r);
        assertTrue(er7.startsWith("MSH|^~\\&|"), er7);
        assertFalse(er7.contains("\n"), "segments are separated by \\r only");
        assertTrue(er7.split("\r").length >= 5, er7);
        // parse() validates with the context's default validation and throws on a violation
        return (ORU_R01) parser.parse(er7);
    }

    private static ORU_R01_ORDER_OBSERVATION order(ORU_R01 m) {
        return m.getPATIENT_RESULT().getORDER_OBSERVATION();
    }

    private static List<OBX> obxs(ORU_R01 m) throws HL7Exception {
        return order(m).getOBSERVATIONAll().stream().map(ORU_R01_OBSERVATION::getOBX).toList();
    }

    private static OBX obx(ORU_R01 m, ResultMessage.Code id) throws HL7Exception {
        return obxs(m).stream().filter(o -> id.code().equals(o.getObservationIdentifier().getIdentifier().getValue()))
                .findFirst().orElse(null);
    }

    private static String value(OBX obx) {
        return obx.getObservationValue(0).getData().toString();
    }

    @Test
    void positiveResult() throws HL7Exception {
        ORU_R01 m = roundTrip(positive());
        Terser t = new Terser(m);
        assertEquals("ORU", t.get("/MSH-9-1"));
        assertEquals("R01", t.get("/MSH-9-2"));
        assertEquals("ORU_R01", t.get("/MSH-9-3"));
        assertEquals("P", t.get("/MSH-11"));
        assertEquals("2.5.1", t.get("/MSH-12"));
        assertEquals("ALVEOLUS", t.get("/MSH-3"));
        assertEquals("hospital-a", t.get("/MSH-4"));
        assertEquals("RIS", t.get("/MSH-5"));
        assertEquals("HOSP-A", t.get("/MSH-6"));

        PID pid = m.getPATIENT_RESULT().getPATIENT().getPID();
        assertEquals("PAT-4711", pid.getPatientIdentifierList(0).getIDNumber().getValue());
        assertEquals("HOSP-A-MRN", pid.getPatientIdentifierList(0).getAssigningAuthority().getNamespaceID().getValue());
        assertEquals("MR", pid.getPatientIdentifierList(0).getIdentifierTypeCode().getValue());
        // a delimiter in a name is escaped, not taken as a field separator; UTF-8 survives
        assertEquals("Müller|Smith", pid.getPatientName(0).getFamilyName().getSurname().getValue());
        assertEquals("Anna", pid.getPatientName(0).getGivenName().getValue());

        OBR obr = order(m).getOBR();
        assertEquals("ORD-77", obr.getPlacerOrderNumber().getEntityIdentifier().getValue());
        assertEquals("ACC-0042", obr.getFillerOrderNumber().getEntityIdentifier().getValue());
        assertEquals("ACC-0042", obr.getPlacerField1().getValue());
        assertEquals("36554-4", obr.getUniversalServiceIdentifier().getIdentifier().getValue());
        assertEquals("LN", obr.getUniversalServiceIdentifier().getNameOfCodingSystem().getValue());
        assertEquals("P", obr.getResultStatus().getValue(), "AI results are preliminary");
        assertEquals("20261129024000+0000", obr.getObservationDateTime().getTime().getValue());
        assertEquals("20261129030000+0000", obr.getResultsRptStatusChngDateTime().getTime().getValue());
        assertEquals("RE", order(m).getORC().getOrderControl().getValue());
        assertEquals("ACC-0042", order(m).getORC().getFillerOrderNumber().getEntityIdentifier().getValue());

        // a flagged study asks the RIS worklist for ASAP, in TQ1-9 and the v2.4 OBR-27.6
        assertEquals("A", order(m).getTIMING_QTY().getTQ1().getPriority(0).getIdentifier().getValue());
        assertEquals("A", obr.getQuantityTiming(0).getPriority().getValue());

        OBX finding = obx(m, OruMessage.PNEUMONIA);
        assertNotNull(finding, "finding OBX");
        assertEquals("CWE", finding.getValueType().getValue());
        assertEquals("SCT", finding.getObservationIdentifier().getNameOfCodingSystem().getValue());
        CWE presence = (CWE) finding.getObservationValue(0).getData();
        assertEquals("52101004", presence.getIdentifier().getValue());
        assertEquals("A", finding.getAbnormalFlags(0).getValue());
        assertEquals("P", finding.getObservationResultStatus().getValue());

        OBX probability = obx(m, OruMessage.PROBABILITY);
        assertEquals("NM", probability.getValueType().getValue());
        assertEquals("0.87", value(probability));
        assertEquals("{probability}", probability.getUnits().getIdentifier().getValue());
        assertEquals("UCUM", probability.getUnits().getNameOfCodingSystem().getValue());
        assertEquals("0.5", value(obx(m, OruMessage.THRESHOLD)));

        assertEquals("alveolus-pneumonia", value(obx(m, OruMessage.ALGORITHM_NAME)));
        assertEquals("pneumonia-v1", value(obx(m, OruMessage.ALGORITHM_VERSION)));
        HD uid = (HD) obx(m, OruMessage.STUDY_INSTANCE_UID).getObservationValue(0).getData();
        assertEquals(STUDY, uid.getUniversalID().getValue());
        assertEquals("ISO", uid.getUniversalIDType().getValue());
        assertTrue(obxs(m).stream().anyMatch(o -> "TX".equals(o.getValueType().getValue())
                && OruMessage.DISCLAIMER.equals(value(o))), "disclaimer OBX");

        // OBX-1 numbers the observations 1..n
        List<OBX> all = obxs(m);
        for (int i = 0; i < all.size(); i++) {
            assertEquals(Integer.toString(i + 1), all.get(i).getSetIDOBX().getValue());
        }
    }

    @Test
    void negativeResultIsNormalAndKeepsTheOrdersPriority() throws HL7Exception {
        ORU_R01 m = roundTrip(negative());
        OBX finding = obx(m, OruMessage.PNEUMONIA);
        assertEquals("272519000", ((CWE) finding.getObservationValue(0).getData()).getIdentifier().getValue());
        assertEquals("N", finding.getAbnormalFlags(0).getValue());
        assertEquals("0.12", value(obx(m, OruMessage.PROBABILITY)));
        assertNull(order(m).getTIMING_QTY().getTQ1().getPriority(0).getIdentifier().getValue());
        assertNull(order(m).getOBR().getQuantityTiming(0).getPriority().getValue());
        assertFalse(OruMessage.encode(negative()).contains("\rTQ1|"), "no TQ1 for a negative");
    }

    @Test
    void notApplicableCarriesNoFindingNorProbability() throws HL7Exception {
        ORU_R01 m = roundTrip(notApplicable());
        assertNull(obx(m, OruMessage.PNEUMONIA));
        assertNull(obx(m, OruMessage.PROBABILITY));
        assertNull(obx(m, OruMessage.THRESHOLD));
        OBX text = obx(m, OruMessage.COMMENT);
        assertEquals("TX", text.getValueType().getValue());
        assertEquals("Not analysed: lateral view, not frontal", value(text));
        assertEquals("X", text.getObservationResultStatus().getValue());
        assertEquals("P", order(m).getOBR().getResultStatus().getValue());
        assertNull(order(m).getTIMING_QTY().getTQ1().getPriority(0).getIdentifier().getValue());
        assertEquals("pneumonia-v1", value(obx(m, OruMessage.ALGORITHM_VERSION)));
        assertEquals("PAT-4711", m.getPATIENT_RESULT().getPATIENT().getPID().getPatientIdentifierList(0)
                .getIDNumber().getValue());
    }

    @Test
    void failedCarriesNoFindingNorProbability() throws HL7Exception {
        ORU_R01 m = roundTrip(failed());
        assertNull(obx(m, OruMessage.PNEUMONIA));
        assertNull(obx(m, OruMessage.PROBABILITY));
        assertEquals("Analysis failed: image could not be decoded (JPEG 2000)", value(obx(m, OruMessage.COMMENT)));
        assertEquals("ACC-0045", order(m).getOBR().getFillerOrderNumber().getEntityIdentifier().getValue());
        assertFalse(obxs(m).stream().anyMatch(o -> "NM".equals(o.getValueType().getValue())));
    }

    @Test
    void controlIdIsStableAndAtMost20Characters() throws HL7Exception {
        String first = new Terser(OruMessage.build(positive())).get("/MSH-10");
        String again = new Terser(OruMessage.build(positive())).get("/MSH-10");
        assertEquals(first, again, "a re-send is the same message");
        assertTrue(first.length() <= 20 && first.length() >= 10, first);
        assertEquals(first, new Terser(roundTrip(positive())).get("/MSH-10"));
        assertNotEquals(first, OruMessage.controlId("an-123", "pneumonia-v2"), "a re-analysis is a new message");
        assertNotEquals(first, new Terser(OruMessage.build(negative())).get("/MSH-10"));
    }

    @Test
    void withoutOptionalFields() throws HL7Exception {
        ResultMessage r = new ResultMessage("ALVEOLUS", "hospital-b", "RIS", "HOSP-B", "an-9", "P-1", null, null,
                null, "ACC-9", null, null, new ResultMessage.Code("CXR1", "Chest X-ray 1 view", "99HOSPB"), null,
                REPORTED, Status.COMPLETED, 0.5, true, null, null, "v2", null);
        ORU_R01 m = roundTrip(r);
        OBR obr = order(m).getOBR();
        assertEquals("ACC-9", obr.getPlacerOrderNumber().getEntityIdentifier().getValue(), "accession as placer");
        assertEquals("CXR1", obr.getUniversalServiceIdentifier().getIdentifier().getValue());
        assertEquals("20261129030000+0000", obr.getObservationDateTime().getTime().getValue());
        assertNull(obx(m, OruMessage.STUDY_INSTANCE_UID));
        assertNull(obx(m, OruMessage.THRESHOLD));
        assertNull(m.getPATIENT_RESULT().getPATIENT().getPID().getPatientName(0).getFamilyName().getSurname()
                .getValue());
        assertEquals("0.5", value(obx(m, OruMessage.PROBABILITY)));
    }

    @Test
    void theReceivingValidationIsActive() {
        // the round trips above only prove something if the parser does validate: a bad timestamp must fail
        String er7 = OruMessage.encode(positive()).replace("|20261129030000+0000|", "|2026-11-29|");
        assertThrows(HL7Exception.class, () -> parser.parse(er7));
    }

    @Test
    void resultWithoutAnalysisCannotCarryAProbability() {
        assertThrows(IllegalArgumentException.class,
                () -> result("an-1", "ACC-1", Status.NOT_APPLICABLE, 0.2, false, "x"));
        assertThrows(IllegalArgumentException.class, () -> result("an-1", "ACC-1", Status.FAILED, 0.2, null, "x"));
        assertThrows(IllegalArgumentException.class, () -> result("an-1", " ", Status.FAILED, null, null, "x"));
        assertThrows(IllegalArgumentException.class, () -> result("an-1", "ACC-1", Status.COMPLETED, 1.2, true, null));
    }

    @Test
    void fromAnAnalysisResult() throws HL7Exception {
        ResultMessage.Patient patient = new ResultMessage.Patient("PAT-9", null, "Doe", "Jane");
        AnalysisResult done = new AnalysisResult("an-7", "hospital-a", "pseudo", "ACC-7", STUDY, Status.COMPLETED,
                0.66, true, 0.5, "pneumonia-v3", null, REPORTED);
        ORU_R01 m = roundTrip(ResultMessage.of(done, "RIS", "HOSP-A", patient, null, null, OBSERVED, null, null));
        assertEquals("PAT-9", m.getPATIENT_RESULT().getPATIENT().getPID().getPatientIdentifierList(0)
                .getIDNumber().getValue());
        assertEquals("0.66", value(obx(m, OruMessage.PROBABILITY)));
        assertEquals("pneumonia-v3", value(obx(m, OruMessage.ALGORITHM_VERSION)));
        assertEquals(OruMessage.controlId("an-7", "pneumonia-v3"), new Terser(m).get("/MSH-10"));

        AnalysisResult refused = new AnalysisResult("an-8", "hospital-a", "pseudo", "ACC-8", STUDY,
                Status.NOT_APPLICABLE, null, null, null, "pneumonia-v3", null, REPORTED, "paediatric patient");
        ORU_R01 n = roundTrip(ResultMessage.of(refused, "RIS", "HOSP-A", patient, null, null, null, null, null));
        assertEquals("Not analysed: paediatric patient", value(obx(n, OruMessage.COMMENT)));
        assertNull(obx(n, OruMessage.PROBABILITY));

        AnalysisResult failed = new AnalysisResult("an-9", "hospital-a", "pseudo", "ACC-9", STUDY, Status.FAILED,
                null, null, null, null, null, REPORTED);
        ORU_R01 f = roundTrip(ResultMessage.of(failed, "RIS", "HOSP-A", patient, null, null, null, null, "timeout"));
        assertEquals("Analysis failed: timeout", value(obx(f, OruMessage.COMMENT)));

        AnalysisResult noAccession = new AnalysisResult("an-10", "hospital-a", "pseudo", null, STUDY,
                Status.COMPLETED, 0.1, false, 0.5, "pneumonia-v3", null, REPORTED);
        assertThrows(IllegalArgumentException.class,
                () -> ResultMessage.of(noAccession, "RIS", "HOSP-A", patient, null, null, null, null, null));
    }

    @Test
    void toStringLeavesOutThePatient() {
        String s = positive().toString();
        assertFalse(s.contains("PAT-4711") || s.contains("Müller") || s.contains("Anna"), s);
        assertTrue(s.contains("an-123"), s);
    }
}
