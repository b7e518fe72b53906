package io.alveolus.interop.hl7;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.model.DataTypeException;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.v251.datatype.CE;
import ca.uhn.hl7v2.model.v251.datatype.CWE;
import ca.uhn.hl7v2.model.v251.datatype.HD;
import ca.uhn.hl7v2.model.v251.datatype.NM;
import ca.uhn.hl7v2.model.v251.datatype.ST;
import ca.uhn.hl7v2.model.v251.datatype.TX;
import ca.uhn.hl7v2.model.v251.group.ORU_R01_ORDER_OBSERVATION;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.model.v251.segment.MSH;
import ca.uhn.hl7v2.model.v251.segment.OBR;
import ca.uhn.hl7v2.model.v251.segment.OBX;
import ca.uhn.hl7v2.model.v251.segment.ORC;
import ca.uhn.hl7v2.model.v251.segment.PID;
import ca.uhn.hl7v2.model.v251.segment.TQ1;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import io.alveolus.interop.AnalysisResult.Status;
import io.alveolus.interop.report.MeasurementReport;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * The AI result as an HL7 v2.5.1 ORU^R01 for the hospital's RIS (issue 15, point 3).
 *
 * <pre>
 * MSH|^~\&amp;|ALVEOLUS|&lt;tenant&gt;|&lt;RIS app&gt;|&lt;RIS facility&gt;|&lt;now&gt;||ORU^R01^ORU_R01|&lt;control id&gt;|P|2.5.1
 * PID|1||&lt;patient id&gt;^^^&lt;authority&gt;^MR||&lt;family&gt;^&lt;given&gt;
 * ORC|RE|&lt;placer or accession&gt;|&lt;accession&gt;
 * OBR|1|&lt;placer or accession&gt;|&lt;accession&gt;|36554-4^XR Chest Single view^LN|||&lt;observed&gt;|...|&lt;accession&gt;(OBR-18)
 *     |...|&lt;reported&gt;(OBR-22)||RAD(OBR-24)|P(OBR-25)||^^^^^A(OBR-27, positive only)
 * TQ1|1||||||||A^ASAP^HL70485                                     (positive only)
 * OBX|n|HD|110180^Study Instance UID^DCM||^&lt;UID&gt;^ISO              (when known)
 * OBX|n|CWE|233604007^Pneumonia^SCT||52101004^Present^SCT (or 272519000^Absent^SCT)|||A (or N)|||P
 * OBX|n|NM|PNEUMONIA-PROB^Probability of pneumonia^99ALVEOLUS||0.87|{probability}^probability^UCUM|||||P
 * OBX|n|NM|DECISION-THRESH^Decision threshold^99ALVEOLUS||0.5|{probability}^probability^UCUM|||||P
 * OBX|n|ST|111001^Algorithm Name^DCM||&lt;model name&gt;              OBX|n|ST|111003^Algorithm Version^DCM||&lt;version&gt;
 * OBX|n|TX|121106^Comment^DCM||AI result - decision support, not a diagnosis
 * </pre>
 * NOT_APPLICABLE and FAILED carry no finding and no probability (so a missing result can never read as a negative
 * one), only the TX "Not analysed: &lt;reason&gt;" / "Analysis failed: &lt;reason&gt;" with OBX-11 "X" (results cannot be
 * obtained for this observation), plus the study UID and algorithm OBXs.
 *
 * <p>Choices:
 * <ul>
 *   <li>OBR-25 and OBX-11 are "P" (preliminary) for every outcome: an AI result is unverified; the radiologist's
 *       report stays the final result. "X" on OBR-25 would tell many RIS the order was cancelled, so it is not
 *       used for FAILED either.</li>
 *   <li>Priority of a positive study: "A" (ASAP) in TQ1-9 and, for RIS still reading the v2.4 field, OBR-27.6. Not
 *       "S" (stat): an unverified AI flag should move a study up the worklist, not ahead of the clinically ordered
 *       stat studies. Negative and unanalysed studies carry no priority at all, so the order's own priority is never
 *       lowered.</li>
 *   <li>OBR-4 defaults to LOINC 36554-4 "XR Chest Single view" (the model reads one frontal radiograph; the LOINC
 *       radiology playbook's code, as used by IHE IDR's examples); the caller should pass the RIS's own ordered
 *       procedure code when the order or the DICOM Procedure Code Sequence gives it.</li>
 *   <li>The accession number is the filler order number (OBR-3, ORC-3: the RIS assigns it) and OBR-18 (where IHE
 *       scheduled workflow puts it); OBR-2/ORC-2 take the placer order number, or the accession when that is not
 *       known.</li>
 *   <li>Study Instance UID: its own OBX, value type HD (universal id + "ISO"), concept DCM 110180 "Study Instance
 *       UID", rather than a Z segment (ZDS) that the default validation and many RIS would not know.</li>
 *   <li>Finding, presence and the two private concepts are those of the DICOM SR ({@link MeasurementReport}), so the
 *       three outputs (SR, FHIR, HL7) say the same thing in the same codes.</li>
 *   <li>MSH-10 is {@link #controlId(String, String)}: a re-send of the same analysis by the same model version is the
 *       same message for the RIS's duplicate detection.</li>
 * </ul>
 * No pixel data, no heat map: the RIS gets the result only, the images stay in the PACS.
 */
public final class OruMessage {

    public static final ResultMessage.Code DEFAULT_PROCEDURE =
            new ResultMessage.Code("36554-4", "XR Chest Single view", "LN");
    public static final ResultMessage.Code STUDY_INSTANCE_UID =
            new ResultMessage.Code("110180", "Study Instance UID", "DCM");
    // the same codes as MeasurementReport's SR content tree
    public static final ResultMessage.Code PNEUMONIA = new ResultMessage.Code("233604007", "Pneumonia", "SCT");
    public static final ResultMessage.Code PRESENT = new ResultMessage.Code("52101004", "Present", "SCT");
    public static final ResultMessage.Code ABSENT = new ResultMessage.Code("272519000", "Absent", "SCT");
    public static final ResultMessage.Code PROBABILITY = new ResultMessage.Code(
            MeasurementReport.CODE_PROBABILITY, "Probability of pneumonia", MeasurementReport.PRIVATE_SCHEME);
    public static final ResultMessage.Code THRESHOLD = new ResultMessage.Code(
            MeasurementReport.CODE_THRESHOLD, "Decision threshold", MeasurementReport.PRIVATE_SCHEME);
    public static final ResultMessage.Code ALGORITHM_NAME = new ResultMessage.Code("111001", "Algorithm Name", "DCM");
    public static final ResultMessage.Code ALGORITHM_VERSION =
            new ResultMessage.Code("111003", "Algorithm Version", "DCM");
    public static final ResultMessage.Code COMMENT = new ResultMessage.Code("121106", "Comment", "DCM");
    public static final ResultMessage.Code UNIT_PROBABILITY = new ResultMessage.Code("{probability}", "probability",
            "UCUM");

    public static final String DISCLAIMER = "AI result - decision support, not a diagnosis";
    /** HL7 table 0027 / 0485: ASAP. */
    public static final String PRIORITY_POSITIVE = "A";
    public static final String RESULT_STATUS = "P";
    /** The model name when the caller has none (ResultMessage.modelName null). */
    static final String DEFAULT_MODEL_NAME = "alveolus-pneumonia";

    private static final DateTimeFormatter DTM =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmssZ").withZone(ZoneOffset.UTC);

    // One context for building and encoding: the v2.5.1 model classes with HAPI's default validation, so a value
    // the RIS's parser would refuse (a bad timestamp, an over-long field) already fails here. Encoding is
    // thread-safe, the context is only read.
    private static final HapiContext CONTEXT = new DefaultHapiContext(ValidationContextFactory.defaultValidation());
    private static final PipeParser PARSER = CONTEXT.getPipeParser();

    private OruMessage() {
    }

    /** The HAPI message for {@code r}; MSH-7 is the time of this call, everything else derives from {@code r}. */
    public static ORU_R01 build(ResultMessage r) {
        try {
            return buildMessage(r, Instant.now());
        } catch (HL7Exception e) {
            throw new IllegalArgumentException("cannot build ORU^R01 for " + r + ": " + e.getMessage(), e);
        }
    }

    /** ER7 ("pipe") encoding, segments separated by \r. */
    public static String encode(ORU_R01 message) {
        try {
            return PARSER.encode(message);
        } catch (HL7Exception e) {
            throw new IllegalArgumentException("cannot encode ORU^R01: " + e.getMessage(), e);
        }
    }

    /** {@code encode(build(r))}. */
    public static String encode(ResultMessage r) {
        return encode(build(r));
    }

    /**
     * MSH-10: "AV" and the first 18 hex digits of SHA-256(analysis id, model version): 20 characters (the MSH-10
     * maximum), the same for every build of the same analysis by the same model, different for a re-analysis.
     */
    public static String controlId(String analysisId, String modelVersion) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((analysisId + "\n" + modelVersion).getBytes(StandardCharsets.UTF_8));
            return "AV" + HexFormat.of().withUpperCase().formatHex(digest).substring(0, 18);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static ORU_R01 buildMessage(ResultMessage r, Instant now) throws HL7Exception {
        ORU_R01 m = new ORU_R01(CONTEXT.getModelClassFactory());
        m.setParser(PARSER);

        MSH msh = m.getMSH();
        msh.getFieldSeparator().setValue("|");
        msh.getEncodingCharacters().setValue("^~\\&");
        msh.getSendingApplication().getNamespaceID().setValue(r.sendingApplication());
        msh.getSendingFacility().getNamespaceID().setValue(r.sendingFacility());
        msh.getReceivingApplication().getNamespaceID().setValue(r.receivingApplication());
        msh.getReceivingFacility().getNamespaceID().setValue(r.receivingFacility());
        msh.getDateTimeOfMessage().getTime().setValue(DTM.format(now));
        msh.getMessageType().getMessageCode().setValue("ORU");
        msh.getMessageType().getTriggerEvent().setValue("R01");
        msh.getMessageType().getMessageStructure().setValue("ORU_R01");
        msh.getMessageControlID().setValue(controlId(r.analysisId(), r.modelVersion()));
        msh.getProcessingID().getProcessingID().setValue("P");
        msh.getVersionID().getVersionID().setValue("2.5.1");
        msh.getCharacterSet(0).setValue("UNICODE UTF-8");

        PID pid = m.getPATIENT_RESULT().getPATIENT().getPID();
        pid.getSetIDPID().setValue("1");
        pid.getPatientIdentifierList(0).getIDNumber().setValue(r.patientId());
        if (notBlank(r.patientIdAuthority())) {
            pid.getPatientIdentifierList(0).getAssigningAuthority().getNamespaceID().setValue(r.patientIdAuthority());
        }
        pid.getPatientIdentifierList(0).getIdentifierTypeCode().setValue("MR");
        if (notBlank(r.patientFamilyName())) {
            pid.getPatientName(0).getFamilyName().getSurname().setValue(r.patientFamilyName());
        }
        if (notBlank(r.patientGivenName())) {
            pid.getPatientName(0).getGivenName().setValue(r.patientGivenName());
        }

        String placer = notBlank(r.placerOrderNumber()) ? r.placerOrderNumber() : r.accession();
        ORU_R01_ORDER_OBSERVATION order = m.getPATIENT_RESULT().getORDER_OBSERVATION();
        ORC orc = order.getORC();
        orc.getOrderControl().setValue("RE"); // observations to follow
        orc.getPlacerOrderNumber().getEntityIdentifier().setValue(placer);
        orc.getFillerOrderNumber().getEntityIdentifier().setValue(r.accession());

        boolean flagged = r.status() == Status.COMPLETED && r.positive();
        String reported = DTM.format(r.reportedAt());
        String observed = DTM.format(r.observedAt() != null ? r.observedAt() : r.reportedAt());

        OBR obr = order.getOBR();
        obr.getSetIDOBR().setValue("1");
        obr.getPlacerOrderNumber().getEntityIdentifier().setValue(placer);
        obr.getFillerOrderNumber().getEntityIdentifier().setValue(r.accession());
        set(obr.getUniversalServiceIdentifier(), r.procedure() != null ? r.procedure() : DEFAULT_PROCEDURE);
        obr.getObservationDateTime().getTime().setValue(observed);
        obr.getPlacerField1().setValue(r.accession());
        obr.getResultsRptStatusChngDateTime().getTime().setValue(reported);
        obr.getDiagnosticServSectID().setValue("RAD");
        obr.getResultStatus().setValue(RESULT_STATUS);
        if (flagged) {
            obr.getQuantityTiming(0).getPriority().setValue(PRIORITY_POSITIVE);
            TQ1 tq1 = order.getTIMING_QTY().getTQ1();
            tq1.getSetIDTQ1().setValue("1");
            CWE priority = tq1.getPriority(0);
            priority.getIdentifier().setValue(PRIORITY_POSITIVE);
            priority.getText().setValue("ASAP");
            priority.getNameOfCodingSystem().setValue("HL70485");
        }

        Obx obx = new Obx(m, order, observed, reported);
        if (notBlank(r.studyInstanceUid())) {
            HD uid = new HD(m);
            uid.getUniversalID().setValue(r.studyInstanceUid());
            uid.getUniversalIDType().setValue("ISO");
            obx.add("HD", STUDY_INSTANCE_UID, uid, null, null, RESULT_STATUS);
        }
        switch (r.status()) {
            case COMPLETED -> {
                CWE presence = new CWE(m);
                set(presence, r.positive() ? PRESENT : ABSENT);
                obx.add("CWE", PNEUMONIA, presence, null, r.positive() ? "A" : "N", RESULT_STATUS);
                obx.add("NM", PROBABILITY, nm(m, r.probability()), UNIT_PROBABILITY, null, RESULT_STATUS);
                if (r.threshold() != null) {
                    obx.add("NM", THRESHOLD, nm(m, r.threshold()), UNIT_PROBABILITY, null, RESULT_STATUS);
                }
            }
            case NOT_APPLICABLE -> obx.add("TX", COMMENT, tx(m, "Not analysed: " + reason(r)), null, null, "X");
            case FAILED -> obx.add("TX", COMMENT, tx(m, "Analysis failed: " + reason(r)), null, null, "X");
        }
        obx.add("ST", ALGORITHM_NAME, st(m, notBlank(r.modelName()) ? r.modelName() : DEFAULT_MODEL_NAME),
                null, null, RESULT_STATUS);
        obx.add("ST", ALGORITHM_VERSION, st(m, r.modelVersion()), null, null, RESULT_STATUS);
        if (r.status() == Status.COMPLETED) {
            obx.add("TX", COMMENT, tx(m, DISCLAIMER), null, null, RESULT_STATUS);
        }
        return m;
    }

    /** Appends numbered OBX segments to the order. */
    private static final class Obx {
        private final ORU_R01 m;
        private final ORU_R01_ORDER_OBSERVATION order;
        private final String observed;
        private final String reported;
        private int n;

        Obx(ORU_R01 m, ORU_R01_ORDER_OBSERVATION order, String observed, String reported) {
            this.m = m;
            this.order = order;
            this.observed = observed;
            this.reported = reported;
        }

        void add(String valueType, ResultMessage.Code id, Type value, ResultMessage.Code units, String abnormal,
                 String status) throws HL7Exception {
            OBX obx = order.getOBSERVATION(n).getOBX();
            n++;
            obx.getSetIDOBX().setValue(Integer.toString(n));
            obx.getValueType().setValue(valueType);
            set(obx.getObservationIdentifier(), id);
            obx.getObservationValue(0).setData(value);
            if (units != null) {
                set(obx.getUnits(), units);
            }
            if (abnormal != null) {
                obx.getAbnormalFlags(0).setValue(abnormal);
            }
            obx.getObservationResultStatus().setValue(status);
            obx.getDateTimeOfTheObservation().getTime().setValue(observed);
            obx.getDateTimeOfTheAnalysis().getTime().setValue(reported);
        }
    }

    private static NM nm(ORU_R01 m, double v) throws DataTypeException {
        NM nm = new NM(m);
        // four decimals are more than the model's calibration justifies; plain notation (NM allows no exponent)
        nm.setValue(BigDecimal.valueOf(v).setScale(4, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString());
        return nm;
    }

    private static ST st(ORU_R01 m, String v) throws DataTypeException {
        ST st = new ST(m);
        st.setValue(v);
        return st;
    }

    private static TX tx(ORU_R01 m, String v) throws DataTypeException {
        TX tx = new TX(m);
        tx.setValue(v);
        return tx;
    }

    private static void set(CE ce, ResultMessage.Code c) throws DataTypeException {
        ce.getIdentifier().setValue(c.code());
        ce.getText().setValue(c.text());
        ce.getNameOfCodingSystem().setValue(c.system());
    }

    private static void set(CWE cwe, ResultMessage.Code c) throws DataTypeException {
        cwe.getIdentifier().setValue(c.code());
        cwe.getText().setValue(c.text());
        cwe.getNameOfCodingSystem().setValue(c.system());
    }

    private static String reason(ResultMessage r) {
        // one line: the reason comes from Alveolus' own gates and exceptions, never from patient data
        return notBlank(r.reason()) ? r.reason().replaceAll("\\s+", " ").strip() : "no reason given";
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
