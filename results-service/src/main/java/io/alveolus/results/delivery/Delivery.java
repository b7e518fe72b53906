package io.alveolus.results.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.UUID;

/**
 * One object of one analysis for one destination: what a {@code pacs} outbox row carries. The model version is
 * part of it because the object's SOP Instance UIDs derive from (analysis, model version): the same delivery
 * re-sent lands on the same instance, a re-analysis by another model is another instance.
 */
public record Delivery(UUID analysisId, String tenant, String destination, Kind kind, String modelVersion,
                       String study) {

    public static final String CHANNEL = "pacs";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * SR: the TID 1500 report (every outcome). SC: the heat map over the image (completed analyses). ORU: the HL7
     * v2 result message to the RIS (every outcome). STUDY_SR: the study-level TID 1500 report over all of a
     * study's images ({@code StudyReport}; {@code analysisId} names the image whose completion last planned it).
     */
    public enum Kind { SR, SC, ORU, STUDY_SR }

    /** One object of one analysis (per-image kinds). */
    public Delivery(UUID analysisId, String tenant, String destination, Kind kind, String modelVersion) {
        this(analysisId, tenant, destination, kind, modelVersion, null);
    }

    /** The study-level report of {@code study} (a Study Instance UID) for {@code destination}. */
    public static Delivery ofStudy(UUID latest, String tenant, String destination, String modelVersion, String study) {
        return new Delivery(latest, tenant, destination, Kind.STUDY_SR, modelVersion, study);
    }

    /**
     * The outbox row's key, with {@link #subject()}: unique per analysis (or study), so a completion announced twice
     * is delivered once.
     */
    public String key() {
        return destination + "/" + kind + "/" + modelVersion;
    }

    /** What the row is about: the analysis, or for a study-level report the study. */
    public String subject() {
        return kind == Kind.STUDY_SR ? "study:" + study : analysisId.toString();
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
