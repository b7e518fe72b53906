package io.alveolus.interop.hl7;

/**
 * The RIS did not accept a message: nothing listening, no ACK in time, a broken connection, or an ACK that is not
 * AA/CA. The message was not (or not knowingly) filed, so the caller retries; {@link #kind()} says whether a retry
 * of the same message can help (a reject, AR/CR, usually needs a person).
 */
public final class MllpSendException extends Exception {

    public enum Kind {
        /** connection refused, unknown host, connect timeout, TLS failure while connecting */
        CONNECT,
        /** connected and sent, but no ACK within the configured time */
        TIMEOUT,
        /** the connection broke while sending or waiting, or the answer was no readable ACK */
        IO,
        /** an ACK with MSA-1 AE or CE: the RIS could not process it now */
        ERROR,
        /** an ACK with MSA-1 AR or CR: the RIS refused the message */
        REJECT
    }

    private final Kind kind;
    private final String ackCode;
    private final String ackText;

    MllpSendException(Kind kind, String ackCode, String ackText, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.ackCode = ackCode;
        this.ackText = ackText;
    }

    public Kind kind() {
        return kind;
    }

    /** MSA-1 of the ACK (AE, AR, CE, CR), or null when no ACK came. */
    public String ackCode() {
        return ackCode;
    }

    /** The ACK's error text (MSA-3, else ERR-8, ERR-3 text, ERR-1), or null. */
    public String ackText() {
        return ackText;
    }
}
