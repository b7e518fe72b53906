package io.alveolus.ingest.dimse;

import com.pixelmed.network.AssociationFactory;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * PixelMed's own A-ASSOCIATE-RQ parser and A-ASSOCIATE-RJ encoder, which its package keeps private. Its acceptor
 * knows a single called AE title per socket and cannot check the calling AE; the listener has one title per tenant,
 * so it reads the request first (with PixelMed's parser), decides, and either rejects (with PixelMed's PDU) or hands
 * the connection to PixelMed's acceptor with the title that was asked for. Resolved once: a PixelMed release without
 * these classes fails the listener's start, not an association.
 */
final class PixelmedPdus {
    private static final Constructor<?> REQUEST;
    private static final Method CALLED;
    private static final Method CALLING;
    private static final Constructor<?> REJECT;
    private static final Method REJECT_BYTES;

    static {
        try {
            ClassLoader loader = AssociationFactory.class.getClassLoader();
            Class<?> request = Class.forName("com.pixelmed.network.AssociateRequestPDU", true, loader);
            REQUEST = accessible(request.getDeclaredConstructor(byte[].class));
            Class<?> requestAccept = Class.forName("com.pixelmed.network.AssociateRequestAcceptPDU", true, loader);
            CALLED = accessible(requestAccept.getDeclaredMethod("getCalledAETitle"));
            CALLING = accessible(requestAccept.getDeclaredMethod("getCallingAETitle"));
            Class<?> reject = Class.forName("com.pixelmed.network.AssociateRejectPDU", true, loader);
            REJECT = accessible(reject.getDeclaredConstructor(int.class, int.class, int.class));
            REJECT_BYTES = accessible(reject.getDeclaredMethod("getBytes"));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A-ASSOCIATE-RJ result (PS3.8 9.3.4): permanent, so the sender does not retry with the same titles. */
    static final int REJECTED_PERMANENT = 1;
    /** Source: the service user (this AE), reasons 3 and 7. */
    static final int SOURCE_SERVICE_USER = 1;
    static final int CALLING_AE_NOT_RECOGNISED = 3;
    static final int CALLED_AE_NOT_RECOGNISED = 7;
    /** Transient, from the service provider's presentation layer, temporary congestion: retry later. */
    static final int REJECTED_TRANSIENT = 2;
    static final int SOURCE_PROVIDER_PRESENTATION = 3;
    static final int TEMPORARY_CONGESTION = 1;

    private PixelmedPdus() {
    }

    /** Resolves the PixelMed members now (class initialisation), so that a missing one fails the listener's start. */
    static void verify() {
        reject(REJECTED_PERMANENT, SOURCE_SERVICE_USER, CALLED_AE_NOT_RECOGNISED);
    }

    private static <T extends java.lang.reflect.AccessibleObject> T accessible(T member) {
        member.setAccessible(true);
        return member;
    }

    /** The called and calling AE titles of an A-ASSOCIATE-RQ PDU (the whole PDU, header included), trimmed. */
    static String[] titles(byte[] associateRequestPdu) throws com.pixelmed.network.DicomNetworkException {
        try {
            Object rq = REQUEST.newInstance((Object) associateRequestPdu);
            return new String[]{trim((String) CALLED.invoke(rq)), trim((String) CALLING.invoke(rq))};
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof com.pixelmed.network.DicomNetworkException d) {
                throw d;
            }
            throw new com.pixelmed.network.DicomNetworkException("malformed A-ASSOCIATE-RQ");
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes of an A-ASSOCIATE-RJ PDU. */
    static byte[] reject(int result, int source, int reason) {
        try {
            return (byte[]) REJECT_BYTES.invoke(REJECT.newInstance(result, source, reason));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** AE titles are space-padded on the wire; PixelMed's acceptor compares them trimmed, so do we. */
    private static String trim(String title) {
        return title == null ? "" : title.strip();
    }
}
