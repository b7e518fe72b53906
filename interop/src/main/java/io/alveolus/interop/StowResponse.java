package io.alveolus.interop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the body of a DICOMweb STOW-RS response (PS3.18 §10.5.3) as DICOM JSON ({@value #MEDIA_TYPE}, PS3.18 F.2):
 * Retrieve URL (0008,1190) of the study if given, Failed SOP Sequence (0008,1198) with Referenced SOP Class/Instance UID
 * and Failure Reason (0008,1197), Referenced SOP Sequence (0008,1199) with Referenced SOP Class/Instance UID and
 * Retrieve URL. Not thread-safe: one instance per request.
 */
public final class StowResponse {

    public static final String MEDIA_TYPE = "application/dicom+json";

    /** 0x0110 Processing failure (e.g. the object store or database failed while storing). */
    public static final int FAILURE_PROCESSING = 0x0110;
    /** 0x0122 Referenced SOP Class not supported: refused, e.g. a modality other than CR/DX. */
    public static final int FAILURE_SOP_CLASS_NOT_SUPPORTED = 0x0122;
    /** 0xA700 Refused: out of resources (quota, storage full, overload). */
    public static final int FAILURE_OUT_OF_RESOURCES = 0xA700;
    /** 0xA900 Error: data set does not match SOP Class. */
    public static final int FAILURE_DATASET_DOES_NOT_MATCH_SOP_CLASS = 0xA900;
    /** 0xC000 Error: cannot understand (malformed, or content outside what is accepted). */
    public static final int FAILURE_CANNOT_UNDERSTAND = 0xC000;
    /** 0xC122 Referenced Transfer Syntax not supported. */
    public static final int FAILURE_TRANSFER_SYNTAX_NOT_SUPPORTED = 0xC122;

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Accepted(String sopClassUid, String sopInstanceUid, String retrieveUrl) {
    }

    private record Failed(String sopClassUid, String sopInstanceUid, int reason) {
    }

    private final String studyRetrieveUrl;
    private final List<Accepted> accepted = new ArrayList<>();
    private final List<Failed> failed = new ArrayList<>();

    /** A response without a study-level Retrieve URL. */
    public StowResponse() {
        this(null);
    }

    /** @param studyRetrieveUrl the study's WADO-RS URL for (0008,1190), or null to leave it out */
    public StowResponse(String studyRetrieveUrl) {
        this.studyRetrieveUrl = blankToNull(studyRetrieveUrl);
    }

    /** Records a stored instance. The retrieve URL may be null. */
    public StowResponse accepted(String sopClassUid, String sopInstanceUid, String retrieveUrl) {
        accepted.add(new Accepted(blankToNull(sopClassUid), blankToNull(sopInstanceUid), blankToNull(retrieveUrl)));
        return this;
    }

    /**
     * Records a failed instance. UIDs may be null when the part could not be parsed (they are then sent without a
     * value). {@code failureReason} is a 16-bit DICOM status such as {@link #FAILURE_CANNOT_UNDERSTAND}.
     */
    public StowResponse failed(String sopClassUid, String sopInstanceUid, int failureReason) {
        if (failureReason < 0 || failureReason > 0xFFFF) {
            throw new IllegalArgumentException("failure reason must be a 16-bit status: " + failureReason);
        }
        failed.add(new Failed(blankToNull(sopClassUid), blankToNull(sopInstanceUid), failureReason));
        return this;
    }

    /** Records an instance refused by {@link DicomImage#decode}, with the failure reason of its code. */
    public StowResponse rejected(String sopClassUid, String sopInstanceUid, DicomRejected rejection) {
        return failed(sopClassUid, sopInstanceUid, rejection.code().stowFailureReason());
    }

    public int acceptedCount() {
        return accepted.size();
    }

    public int failedCount() {
        return failed.size();
    }

    /**
     * The HTTP status for this response (PS3.18 §10.5.3.1): 200 when every instance was stored, 202 when some were
     * stored and some failed, 409 when none was stored.
     */
    public int httpStatus() {
        if (accepted.isEmpty()) return 409;
        return failed.isEmpty() ? 200 : 202;
    }

    /** The DICOM JSON data set. */
    public ObjectNode toJsonNode() {
        ObjectNode root = JSON.createObjectNode();
        if (studyRetrieveUrl != null) root.set("00081190", element("UR", studyRetrieveUrl));
        if (!failed.isEmpty()) {
            ArrayNode items = JSON.createArrayNode();
            for (Failed f : failed) {
                ObjectNode item = JSON.createObjectNode();
                item.set("00081150", element("UI", f.sopClassUid()));
                item.set("00081155", element("UI", f.sopInstanceUid()));
                ObjectNode reason = JSON.createObjectNode();
                reason.put("vr", "US");
                reason.putArray("Value").add(f.reason());
                item.set("00081197", reason);
                items.add(item);
            }
            root.set("00081198", sequence(items));
        }
        if (!accepted.isEmpty()) {
            ArrayNode items = JSON.createArrayNode();
            for (Accepted a : accepted) {
                ObjectNode item = JSON.createObjectNode();
                item.set("00081150", element("UI", a.sopClassUid()));
                item.set("00081155", element("UI", a.sopInstanceUid()));
                if (a.retrieveUrl() != null) item.set("00081190", element("UR", a.retrieveUrl()));
                items.add(item);
            }
            root.set("00081199", sequence(items));
        }
        return root;
    }

    /** The DICOM JSON body, to be sent with Content-Type {@value #MEDIA_TYPE}. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(toJsonNode());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e); // cannot happen for a tree of strings and numbers
        }
    }

    private static ObjectNode element(String vr, String value) {
        ObjectNode e = JSON.createObjectNode();
        e.put("vr", vr);
        if (value != null) e.putArray("Value").add(value);
        return e;
    }

    private static ObjectNode sequence(ArrayNode items) {
        ObjectNode e = JSON.createObjectNode();
        e.put("vr", "SQ");
        e.set("Value", items);
        return e;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
