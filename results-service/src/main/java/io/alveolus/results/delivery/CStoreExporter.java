package io.alveolus.results.delivery;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.DicomNetworkException;
import com.pixelmed.network.PresentationContext;
import com.pixelmed.network.StorageSOPClassSCU;
import io.alveolus.interop.report.Part10;
import io.alveolus.interop.tls.Tls;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedList;

/**
 * C-STORE SCU (DICOM PS3.4 B) to a destination's AE: one association per instance, on PixelMed's association classes
 * (ADR 0002), over TLS when the destination says so ({@link TlsAssociation}). Success only when the PACS answers a
 * success or warning status; a refused association or TLS handshake, a failure status or a broken connection fails
 * the attempt (the outbox retries it).
 */
@ApplicationScoped
public class CStoreExporter {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Bound on each read of the PACS's answers over TLS (the handshake included). */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    public void send(PacsDestinations.Destination d, byte[] part10) throws Exception {
        AttributeList list = Part10.read(part10);
        String sopClass = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPClassUID);
        String sopInstance = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID);
        list.removeMetaInformationHeaderAttributes();
        list.removeGroupLengthAttributes();
        LinkedList<String> syntaxes = new LinkedList<>();
        syntaxes.add(TransferSyntax.ExplicitVRLittleEndian);
        syntaxes.add(TransferSyntax.ImplicitVRLittleEndian);
        LinkedList<PresentationContext> contexts = new LinkedList<>();
        contexts.add(new PresentationContext((byte) 1, sopClass, syntaxes));
        String calling = d.callingAe() == null ? "ALVEOLUS" : d.callingAe();
        Association a;
        try {
            if (d.tls()) {
                // DICOM TLS (PS3.15 Annex B): the PACS's certificate must chain to the hospital's CA and name the host
                a = new TlsAssociation(Tls.connect(Tls.trusting(d.tlsCaPem()), d.host(), d.port(), CONNECT_TIMEOUT,
                        READ_TIMEOUT), d.calledAe(), calling, contexts);
            } else {
                a = AssociationFactory.createNewAssociation(d.host(), d.port(), d.calledAe(), calling, contexts, null,
                        false);
            }
        } catch (DicomNetworkException | IOException e) {
            throw new IllegalStateException("C-STORE association to " + d.calledAe() + "@" + d.host() + ":" + d.port()
                    + (d.tls() ? " over TLS" : "") + " failed: " + e.getMessage(), e);
        }
        boolean ok;
        try {
            byte id = a.getSuitablePresentationContextID(sopClass);
            ok = new Sender().store(a, sopClass, sopInstance, list, id, a.getTransferSyntaxForPresentationContextID(id));
        } catch (Exception e) {
            a.abort();
            throw new IllegalStateException("C-STORE to " + d.id() + " broke off: " + e.getMessage(), e);
        }
        a.release();
        if (!ok) {
            throw new IllegalStateException("C-STORE to " + d.id() + " answered a failure status for " + sopClass);
        }
    }

    /** PixelMed's one-instance send on an association we negotiated; it answers whether the status was success. */
    private static final class Sender extends StorageSOPClassSCU {
        Sender() throws DicomNetworkException, DicomException, IOException {
            super();
        }

        boolean store(Association a, String sopClass, String sopInstance, AttributeList list, byte contextId,
                      String transferSyntax) throws Exception {
            return sendOneSOPInstance(a, sopClass, sopInstance, list, contextId, transferSyntax, null, -1);
        }
    }
}
