package io.alveolus.ingest.dimse;

import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.network.PresentationContext;
import io.alveolus.interop.DicomRejected;
import org.junit.jupiter.api.Test;

import java.util.LinkedList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Negotiation and status mapping, without a network: what StoreScpTest cannot make dcmtk offer or provoke. */
class DimseMappingTest {

    static PresentationContext offer(int id, String abstractSyntax, String... transferSyntaxes) {
        return new PresentationContext((byte) id, abstractSyntax, new LinkedList<>(List.of(transferSyntaxes)));
    }

    @Test
    void radiographsOnlyInSyntaxesTheDecoderReads() {
        var dxJpegLs = offer(1, SOPClass.DigitalXRayImageStorageForPresentation, TransferSyntax.JPEGLS);
        var dxLsOrExplicit = offer(3, SOPClass.DigitalXRayImageStorageForPresentation, TransferSyntax.JPEGLS,
                TransferSyntax.ImplicitVRLittleEndian, TransferSyntax.ExplicitVRLittleEndian);
        var crLossless = offer(5, SOPClass.ComputedRadiographyImageStorage, TransferSyntax.ExplicitVRLittleEndian,
                TransferSyntax.JPEGLosslessSV1);
        var srAnything = offer(7, SOPClass.ComprehensiveSRStorage, TransferSyntax.JPEGLS);
        var mammo = offer(9, SOPClass.DigitalMammographyXRayImageStorageForPresentation,
                TransferSyntax.ExplicitVRLittleEndian);
        var echo = offer(11, SOPClass.Verification, TransferSyntax.ImplicitVRLittleEndian);
        LinkedList<PresentationContext> all = new LinkedList<>(List.of(dxJpegLs, dxLsOrExplicit, crLossless,
                srAnything, mammo, echo));

        new StoragePresentationContexts().applyPresentationContextSelectionPolicy(all, 0);

        assertEquals(4, dxJpegLs.getResultReason(), "JPEG-LS: transfer syntaxes not supported");
        assertNull(dxJpegLs.getTransferSyntaxUID());
        assertEquals(0, dxLsOrExplicit.getResultReason());
        assertEquals(TransferSyntax.ExplicitVRLittleEndian, dxLsOrExplicit.getTransferSyntaxUID(),
                "explicit before implicit VR");
        assertEquals(List.of(TransferSyntax.ExplicitVRLittleEndian), dxLsOrExplicit.getTransferSyntaxUIDs(),
                "culled to the one accepted");
        assertEquals(TransferSyntax.JPEGLosslessSV1, crLossless.getTransferSyntaxUID(), "lossless compressed first");
        assertEquals(0, srAnything.getResultReason(), "never parsed: any syntax");
        assertEquals(3, mammo.getResultReason(), "abstract syntax not supported");
        assertEquals(0, echo.getResultReason());
    }

    @Test
    void ingestProblemsBecomeDimseStatuses() {
        assertEquals(0xA700, CStoreIngest.problem(503).status());
        assertEquals(0xA700, CStoreIngest.problem(429).status());
        assertEquals(0xA700, CStoreIngest.problem(413).status());
        assertEquals(0x0124, CStoreIngest.problem(402).status());
        assertEquals(0x0124, CStoreIngest.problem(403).status());
        assertEquals(0xC000, CStoreIngest.problem(415).status());
        assertEquals(0xC000, CStoreIngest.problem(400).status());
        assertEquals(0xC000, CStoreIngest.problem(422).status());
        assertEquals(0x0110, CStoreIngest.problem(500).status());
        assertEquals(0x0110, CStoreIngest.problem(409).status());
    }

    @Test
    void outOfScopeInstancesSucceedUnreadableOnesFail() {
        for (var code : DicomRejected.Code.values()) {
            int status = CStoreIngest.refused(new DicomRejected(code, "x")).status();
            int expected = switch (code) {
                case UNSUPPORTED_MODALITY, LATERAL_VIEW, COLOUR, MULTI_FRAME -> 0x0000;
                case TOO_LARGE, OUT_OF_RESOURCES -> 0xA700;
                default -> 0xC000;
            };
            assertEquals(expected, status, code.name());
        }
    }
}
