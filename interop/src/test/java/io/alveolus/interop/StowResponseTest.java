package io.alveolus.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class StowResponseTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void mixedResponseHasBothSequencesInDicomJson() throws Exception {
        StowResponse r = new StowResponse("https://pacs.example/dicomweb/studies/1.2.3")
                .accepted("1.2.840.10008.5.1.4.1.1.1.1", "1.2.3.4.1",
                        "https://pacs.example/dicomweb/studies/1.2.3/series/1.2.3.4/instances/1.2.3.4.1")
                .rejected("1.2.840.10008.5.1.4.1.1.4", "1.2.3.4.2",
                        new DicomRejected(DicomRejected.Code.UNSUPPORTED_MODALITY, "modality MR"))
                .failed(null, null, StowResponse.FAILURE_CANNOT_UNDERSTAND)
                .failed("1.2.840.10008.5.1.4.1.1.1.1", "1.2.3.4.3", StowResponse.FAILURE_OUT_OF_RESOURCES);
        assertEquals(202, r.httpStatus());
        assertEquals(1, r.acceptedCount());
        assertEquals(3, r.failedCount());
        assertEquals("application/dicom+json", StowResponse.MEDIA_TYPE);

        JsonNode root = JSON.readTree(r.toJson());
        assertEquals("UR", root.at("/00081190/vr").asText());
        assertEquals("https://pacs.example/dicomweb/studies/1.2.3", root.at("/00081190/Value/0").asText());

        JsonNode ok = root.at("/00081199");
        assertEquals("SQ", ok.get("vr").asText());
        assertEquals(1, ok.get("Value").size());
        JsonNode item = ok.at("/Value/0");
        assertEquals("UI", item.at("/00081150/vr").asText());
        assertEquals("1.2.840.10008.5.1.4.1.1.1.1", item.at("/00081150/Value/0").asText());
        assertEquals("1.2.3.4.1", item.at("/00081155/Value/0").asText());
        assertEquals("UR", item.at("/00081190/vr").asText());
        assertTrue(item.at("/00081190/Value/0").asText().endsWith("/instances/1.2.3.4.1"));

        JsonNode failed = root.at("/00081198");
        assertEquals("SQ", failed.get("vr").asText());
        assertEquals(3, failed.get("Value").size());
        assertEquals("1.2.3.4.2", failed.at("/Value/0/00081155/Value/0").asText());
        assertEquals("US", failed.at("/Value/0/00081197/vr").asText());
        assertEquals(0x0122, failed.at("/Value/0/00081197/Value/0").asInt());
        assertEquals(0xC000, failed.at("/Value/1/00081197/Value/0").asInt());
        assertEquals("UI", failed.at("/Value/1/00081155/vr").asText());
        assertFalse(failed.at("/Value/1/00081155").has("Value"), "unknown UID: element without a value");
        assertEquals(0xA700, failed.at("/Value/2/00081197/Value/0").asInt());
    }

    @Test
    void statusFollowsOutcome() {
        assertEquals(200, new StowResponse().accepted("1.2", "1.2.3", null).httpStatus());
        assertEquals(409, new StowResponse().failed("1.2", "1.2.3", StowResponse.FAILURE_PROCESSING).httpStatus());
        assertEquals(409, new StowResponse().httpStatus());
        assertEquals("{}", new StowResponse().toJson());
    }

    @Test
    void allAcceptedHasNoFailedSequence() throws Exception {
        JsonNode root = JSON.readTree(new StowResponse().accepted("1.2", "1.2.3", null).toJson());
        assertFalse(root.has("00081198"));
        assertFalse(root.has("00081190"));
        assertFalse(root.at("/00081199/Value/0").has("00081190"));
    }

    @Test
    void refusalCodesMapToStandardFailureReasons() {
        assertEquals(0xC000, DicomRejected.Code.MALFORMED.stowFailureReason());
        assertEquals(0xC000, DicomRejected.Code.NOT_DICOM.stowFailureReason());
        assertEquals(0xC122, DicomRejected.Code.UNSUPPORTED_TRANSFER_SYNTAX.stowFailureReason());
        assertEquals(0x0122, DicomRejected.Code.UNSUPPORTED_MODALITY.stowFailureReason());
        assertEquals(0xC000, DicomRejected.Code.LATERAL_VIEW.stowFailureReason());
        assertThrows(IllegalArgumentException.class, () -> new StowResponse().failed("1", "2", 0x10000));
    }
}
