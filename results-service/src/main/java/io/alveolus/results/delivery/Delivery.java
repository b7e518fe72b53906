package io.alveolus.results.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.UUID;

/**
 * One object of one analysis for one destination: what a {@code pacs} outbox row carries. The model version is
 * part of it because the object's SOP Instance UIDs derive from (analysis, model version): the same delivery
 * re-sent lands on the same instance, a re-analysis by another model is another instance.
 */
public record Delivery(UUID analysisId, String tenant, String destination, Kind kind, String modelVersion) {

    public static final String CHANNEL = "pacs";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * SR: the TID 1500 report (every outcome). SC: the heat map over the image (completed analyses). ORU: the HL7
     * v2 result message to the RIS (every outcome).
     */
    public enum Kind { SR, SC, ORU }

    /** The outbox row's key: unique per analysis, so a completion announced twice is delivered once. */
    public String key() {
        return destination + "/" + kind + "/" + modelVersion;
    }

    public String json() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Delivery parse(String json) {
        try {
            return JSON.readValue(json, Delivery.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a delivery: " + e.getOriginalMessage());
        }
    }
}
