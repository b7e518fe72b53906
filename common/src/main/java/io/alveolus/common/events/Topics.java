package io.alveolus.common.events;

/** Kafka topic names: the contract between services. Partitions are set by the stack / Helm chart. */
public final class Topics {
    /** Key: tenant + study id, so one study's images stay in order on one partition. */
    public static final String IMAGE_RECEIVED = "alveolus.image-received";
    /**
     * The urgent lane: URGENT studies within the tenant plan's urgent allowance. Workers serve it first, so one
     * hospital's backlog on the routine topic cannot delay another's urgent study. Same key and value as above.
     */
    public static final String IMAGE_RECEIVED_URGENT = "alveolus.image-received.urgent";
    /** Images that can never be processed (undecodable, refused); value as received, reason in headers. */
    public static final String IMAGE_RECEIVED_DLQ = "alveolus.image-received.dlq";
    /** Key: analysis id. */
    public static final String ANALYSIS_COMPLETED = "alveolus.analysis-completed";

    private Topics() {
    }
}
