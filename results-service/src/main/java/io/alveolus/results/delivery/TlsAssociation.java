package io.alveolus.results.delivery;

import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.DicomNetworkException;
import com.pixelmed.utils.ByteArray;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.Socket;
import java.util.LinkedList;

/**
 * A requested DICOM association (PS3.8 9.3.2) on a socket we connected ourselves: a TLS one (PS3.15 Annex B), with
 * our trust, protocols and host name check. PixelMed's own initiator makes its socket itself (for TLS from the JVM's
 * default factory, offering the retired AES profile's TLS 1.0 suites), so this is its negotiation on our socket:
 * PixelMed's A-ASSOCIATE-RQ, A-ASSOCIATE-AC/RJ and A-ABORT PDU classes (package-private, hence reflection, resolved
 * once), then PixelMed's {@link Association} for everything after (P-DATA, release, abort).
 */
final class TlsAssociation extends Association {
    private static final String IMPLEMENTATION_CLASS_UID = "1.3.6.1.4.1.5962.99.2"; // PixelMed's, as its initiator
    private static final String IMPLEMENTATION_VERSION = "PIXELMEDJAVA001";
    private static final Constructor<?> REQUEST;
    private static final Method REQUEST_BYTES;
    private static final Constructor<?> ACCEPT;
    private static final Method ACCEPTED_CONTEXTS;
    private static final Method ACCEPT_MAX_LENGTH;
    private static final Constructor<?> REJECT;
    private static final Method REJECT_INFO;
    private static final Constructor<?> ABORT;
    private static final Method ABORT_INFO;

    static {
        try {
            ClassLoader loader = AssociationFactory.class.getClassLoader();
            Class<?> common = Class.forName("com.pixelmed.network.AssociateRequestAcceptPDU", true, loader);
            Class<?> request = Class.forName("com.pixelmed.network.AssociateRequestPDU", true, loader);
            REQUEST = accessible(request.getDeclaredConstructor(String.class, String.class, String.class, String.class,
                    int.class, LinkedList.class, LinkedList.class, int.class, String.class, String.class));
            REQUEST_BYTES = accessible(common.getDeclaredMethod("getBytes"));
            Class<?> accept = Class.forName("com.pixelmed.network.AssociateAcceptPDU", true, loader);
            ACCEPT = accessible(accept.getDeclaredConstructor(byte[].class));
            ACCEPTED_CONTEXTS = accessible(common.getDeclaredMethod(
                    "getAcceptedPresentationContextsWithAbstractSyntaxIncludedFromRequest", LinkedList.class));
            ACCEPT_MAX_LENGTH = accessible(common.getDeclaredMethod("getMaximumLengthReceived"));
            Class<?> reject = Class.forName("com.pixelmed.network.AssociateRejectPDU", true, loader);
            REJECT = accessible(reject.getDeclaredConstructor(byte[].class));
            REJECT_INFO = accessible(reject.getDeclaredMethod("getInfo"));
            Class<?> abort = Class.forName("com.pixelmed.network.AAbortPDU", true, loader);
            ABORT = accessible(abort.getDeclaredConstructor(byte[].class));
            ABORT_INFO = accessible(abort.getDeclaredMethod("getInfo"));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Requests an association on {@code connected} (closed if the negotiation fails).
     *
     * @throws DicomNetworkException on A-ASSOCIATE-RJ or A-ABORT (with PixelMed's description) or a malformed answer
     */
    @SuppressWarnings("unchecked")
    TlsAssociation(Socket connected, String calledAe, String callingAe, LinkedList<?> contexts)
            throws DicomNetworkException, IOException {
        this.calledAETitle = calledAe;
        this.callingAETitle = callingAe;
        this.presentationContexts = contexts;
        this.scuSCPRoleSelections = null;
        this.socket = connected;
        boolean ok = false;
        try {
            int ourMaximum = AssociationFactory.getDefaultMaximumLengthReceived();
            setSocketOptions(connected, ourMaximum, AssociationFactory.getDefaultReceiveBufferSize(),
                    AssociationFactory.getDefaultSendBufferSize());
            this.in = connected.getInputStream();
            this.out = connected.getOutputStream();
            Object rq = construct(REQUEST, calledAe, callingAe, IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION,
                    ourMaximum, contexts, null, 0, null, null);
            out.write((byte[]) invoke(REQUEST_BYTES, rq));
            out.flush();
            byte[] header = new byte[6];
            readInsistently(in, header, 0, 6, "type and length of PDU");
            int type = header[0] & 0xff;
            int length = ByteArray.bigEndianToUnsignedInt(header, 2, 4);
            byte[] pdu = getRestOfPDU(in, header, length);
            switch (type) {
                case 0x02 -> {
                    Object ac = construct(ACCEPT, (Object) pdu);
                    this.presentationContexts = (LinkedList<?>) invoke(ACCEPTED_CONTEXTS, ac, contexts);
                    int theirs = (Integer) invoke(ACCEPT_MAX_LENGTH, ac);
                    // send PDUs no larger than the acceptor takes (0: no limit given, PixelMed's rule)
                    this.maximumLengthReceived = theirs == 0 ? ourMaximum : theirs;
                }
                case 0x03 -> throw new DicomNetworkException("A-ASSOCIATE-RJ indication - "
                        + invoke(REJECT_INFO, construct(REJECT, (Object) pdu)));
                case 0x07 -> throw new DicomNetworkException("A-ABORT indication - "
                        + invoke(ABORT_INFO, construct(ABORT, (Object) pdu)));
                default -> throw new DicomNetworkException("unexpected PDU type 0x" + Integer.toHexString(type)
                        + " in answer to A-ASSOCIATE-RQ");
            }
            ok = true;
        } finally {
            if (!ok) {
                connected.close();
            }
        }
    }

    private static Object construct(Constructor<?> c, Object... args) throws DicomNetworkException {
        try {
            return c.newInstance(args);
        } catch (InvocationTargetException e) {
            throw unwrap(e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object invoke(Method m, Object target, Object... args) throws DicomNetworkException {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw unwrap(e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DicomNetworkException unwrap(InvocationTargetException e) {
        if (e.getCause() instanceof DicomNetworkException d) {
            return d;
        }
        return new DicomNetworkException("malformed association PDU: " + e.getCause());
    }

    private static <T extends java.lang.reflect.AccessibleObject> T accessible(T member) {
        member.setAccessible(true);
        return member;
    }

    @Override
    public String getCallingAEHostName() {
        return getLocalHostName();
    }

    @Override
    public String getCalledAEHostName() {
        return getRemoteHostName();
    }

    @Override
    public int getCallingAEPort() {
        return getLocalPort();
    }

    @Override
    public int getCalledAEPort() {
        return getRemotePort();
    }
}
