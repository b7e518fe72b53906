package io.alveolus.ingest.dimse;

import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.network.PresentationContext;
import com.pixelmed.network.PresentationContextSelectionPolicy;

import java.util.LinkedList;
import java.util.List;
import java.util.Set;

/**
 * Which presentation contexts the listener accepts. Radiographs (CR, DX, secondary capture) in the transfer syntaxes
 * the decoder reads (interop's DicomImage: uncompressed, deflate, JPEG baseline and lossless, JPEG 2000, RLE; not
 * JPEG-LS nor 12-bit JPEG extended), and Verification. Other storage classes a PACS forwards with a chest study (CT,
 * MR, SR, key objects, presentation states, PDF) are accepted in any transfer syntax offered, since they are never
 * parsed: their C-STORE is answered Success without reading the data set, so a forwarded study does not fail.
 */
final class StoragePresentationContexts implements PresentationContextSelectionPolicy {

    /** The SOP classes whose instances go through ingest (the model's applicability gate decides from there). */
    static final Set<String> ANALYSED = Set.of(
            SOPClass.ComputedRadiographyImageStorage,
            SOPClass.DigitalXRayImageStorageForPresentation,
            SOPClass.DigitalXRayImageStorageForProcessing,
            SOPClass.SecondaryCaptureImageStorage);

    /** Accepted so forwarded studies go through; answered Success and counted as not analysed. */
    static final Set<String> NOT_ANALYSED = Set.of(
            SOPClass.CTImageStorage, SOPClass.EnhancedCTImageStorage,
            SOPClass.MRImageStorage, SOPClass.EnhancedMRImageStorage,
            SOPClass.MultiframeGrayscaleByteSecondaryCaptureImageStorage,
            SOPClass.MultiframeGrayscaleWordSecondaryCaptureImageStorage,
            SOPClass.BasicTextSRStorage, SOPClass.EnhancedSRStorage, SOPClass.ComprehensiveSRStorage,
            SOPClass.Comprehensive3DSRStorage, SOPClass.XRayRadiationDoseSRStorage,
            SOPClass.KeyObjectSelectionDocumentStorage,
            SOPClass.GrayscaleSoftcopyPresentationStateStorage, SOPClass.ColorSoftcopyPresentationStateStorage,
            SOPClass.EncapsulatedPDFStorage);

    /**
     * The decoder's transfer syntaxes, in the order this end prefers when a context offers several: lossless
     * compressed first (smaller, exact), then uncompressed (explicit before implicit VR), then lossy as offered.
     */
    static final List<String> IMAGE_TRANSFER_SYNTAXES = List.of(
            TransferSyntax.JPEGLosslessSV1, TransferSyntax.JPEGLossless, TransferSyntax.JPEG2000Lossless,
            TransferSyntax.RLE, TransferSyntax.ExplicitVRLittleEndian, TransferSyntax.ImplicitVRLittleEndian,
            TransferSyntax.ExplicitVRBigEndian, TransferSyntax.DeflatedExplicitVRLittleEndian,
            TransferSyntax.JPEGBaseline, TransferSyntax.JPEG2000);

    /** Result/reason of a presentation context item in the A-ASSOCIATE-AC (PS3.8 9.3.3.2). */
    private static final byte ACCEPTANCE = 0;
    private static final byte ABSTRACT_SYNTAX_NOT_SUPPORTED = 3;
    private static final byte TRANSFER_SYNTAXES_NOT_SUPPORTED = 4;

    /** PixelMed's acceptor uses the list it passes in (the return value is not read): each context is culled to the
     *  one chosen transfer syntax, or to none with its rejection reason. */
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public LinkedList applyPresentationContextSelectionPolicy(LinkedList presentationContexts, int associationNumber) {
        for (Object o : presentationContexts) {
            PresentationContext pc = (PresentationContext) o;
            List<String> offered = (List<String>) pc.getTransferSyntaxUIDs();
            String chosen = choose(pc.getAbstractSyntaxUID(), offered);
            pc.newTransferSyntaxUIDs();
            if (chosen == null) {
                pc.setResultReason(accepted(pc.getAbstractSyntaxUID())
                        ? TRANSFER_SYNTAXES_NOT_SUPPORTED : ABSTRACT_SYNTAX_NOT_SUPPORTED);
            } else {
                pc.addTransferSyntaxUID(chosen);
                pc.setResultReason(ACCEPTANCE);
            }
        }
        return presentationContexts;
    }

    @Override
    public LinkedList applyPresentationContextSelectionPolicy(LinkedList presentationContexts, int associationNumber,
                                                              int debugLevel) {
        return applyPresentationContextSelectionPolicy(presentationContexts, associationNumber);
    }

    static boolean accepted(String abstractSyntax) {
        return SOPClass.Verification.equals(abstractSyntax) || ANALYSED.contains(abstractSyntax)
                || NOT_ANALYSED.contains(abstractSyntax);
    }

    /** The transfer syntax to accept for a context, or null to reject it. */
    static String choose(String abstractSyntax, List<String> offered) {
        if (abstractSyntax == null || offered == null || offered.isEmpty()) {
            return null;
        }
        if (SOPClass.Verification.equals(abstractSyntax)) {
            // the command set only: any uncompressed syntax does, implicit VR is the one every SCU offers
            return offered.contains(TransferSyntax.ImplicitVRLittleEndian) ? TransferSyntax.ImplicitVRLittleEndian
                    : offered.contains(TransferSyntax.ExplicitVRLittleEndian) ? TransferSyntax.ExplicitVRLittleEndian
                    : null;
        }
        if (ANALYSED.contains(abstractSyntax)) {
            for (String ts : IMAGE_TRANSFER_SYNTAXES) {
                if (offered.contains(ts)) {
                    return ts;
                }
            }
            return null;
        }
        if (NOT_ANALYSED.contains(abstractSyntax)) {
            // never parsed: whatever the sender has, explicit VR little endian if it offers it
            return offered.contains(TransferSyntax.ExplicitVRLittleEndian) ? TransferSyntax.ExplicitVRLittleEndian
                    : offered.get(0);
        }
        return null;
    }
}
