package io.alveolus.common.problem;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class ClientFaultsTest {
    @Test
    void detailsNameNoInternalClass() {
        // the 422 the attack found: DicomImage.describe(e) puts the exception's simple name in the detail
        assertEquals("cannot parse the DICOM object", ClientFaults.clean("cannot parse the DICOM object: StackOverflowError"));
        assertEquals("cannot read the pixel data: bad tag",
                ClientFaults.clean("cannot read the pixel data: java.io.EOFException: bad tag"));
        assertEquals("decoder failed", ClientFaults.clean("decoder failed: org.dcm4che3.io.DicomStreamException"));
        assertEquals("label must be PNEUMONIA or NO_PNEUMONIA", ClientFaults.clean("label must be PNEUMONIA or NO_PNEUMONIA"));
        assertEquals("study 1.2.840.10008 refused", ClientFaults.clean("study 1.2.840.10008 refused"));
        assertFalse(ClientFaults.clean("x".repeat(1000)).length() > 303);
    }

    @Test
    void decoderFailuresAreTheClients() {
        assertEquals(400, ClientFaults.clientStatus(new StackOverflowError()));
        assertEquals(0, ClientFaults.clientStatus(new IllegalStateException("bug")));
        assertEquals(0, ClientFaults.clientStatus(new IOException("disk")));
    }
}
