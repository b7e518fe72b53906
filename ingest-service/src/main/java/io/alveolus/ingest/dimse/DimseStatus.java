package io.alveolus.ingest.dimse;

/** The C-STORE response statuses the listener answers with (PS3.4 GG.4-1, PS3.7 C). */
final class DimseStatus {
    static final int SUCCESS = 0x0000;
    /** Refused: out of resources. The sender retries: an outage, a rate limit, an instance over the size limit. */
    static final int OUT_OF_RESOURCES = 0xA700;
    /** Refused: not authorized. The tenant's subscription does not allow the upload (suspended, expired). */
    static final int NOT_AUTHORIZED = 0x0124;
    /** Error: cannot understand. The instance is malformed, blank, or in a transfer syntax the decoder lacks. */
    static final int CANNOT_UNDERSTAND = 0xC000;
    /** Failure: processing failure. Anything unexpected. */
    static final int PROCESSING_FAILURE = 0x0110;

    private DimseStatus() {
    }
}
