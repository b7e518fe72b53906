package io.alveolus.common.problem;

/** Thrown anywhere in a request; rendered as problem+json by {@link ProblemMapper}. */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String title;
    private final String type;
    private Integer retryAfterSeconds;

    public ProblemException(int status, String type, String title, String detail) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String type() {
        return type;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public ProblemException retryAfter(int seconds) {
        this.retryAfterSeconds = seconds;
        return this;
    }

    public static ProblemException paymentRequired(String detail) {
        return new ProblemException(402, "urn:alveolus:problem:subscription", "Subscription required", detail);
    }

    public static ProblemException tooManyRequests(String detail, int retryAfterSeconds) {
        return new ProblemException(429, "urn:alveolus:problem:rate-limited", "Too many requests", detail)
                .retryAfter(retryAfterSeconds);
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "urn:alveolus:problem:bad-request", "Bad request", detail);
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "urn:alveolus:problem:unauthorized", "Unauthorized", detail);
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, "urn:alveolus:problem:forbidden", "Forbidden", detail);
    }

    /** Also used for another tenant's data: it must look exactly like data that does not exist. */
    public static ProblemException notFound(String what) {
        return new ProblemException(404, "urn:alveolus:problem:not-found", "Not found", what + " not found");
    }

    /** The request is valid but the resource's state refuses it (e.g. a promotion without its gate). */
    public static ProblemException conflict(String detail) {
        return new ProblemException(409, "urn:alveolus:problem:conflict", "Conflict", detail);
    }

    public static ProblemException tooLarge(String detail) {
        return new ProblemException(413, "urn:alveolus:problem:too-large", "Payload too large", detail);
    }

    public static ProblemException unsupportedMedia(String detail) {
        return new ProblemException(415, "urn:alveolus:problem:unsupported-media", "Unsupported media type", detail);
    }

    public static ProblemException unprocessable(String detail) {
        return new ProblemException(422, "urn:alveolus:problem:unprocessable-image", "Unprocessable image", detail);
    }

    public static ProblemException unavailable(String detail) {
        return new ProblemException(503, "urn:alveolus:problem:unavailable", "Service unavailable", detail);
    }
}
