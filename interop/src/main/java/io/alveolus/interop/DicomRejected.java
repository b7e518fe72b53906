package io.alveolus.interop;

import java.util.Objects;

/**
 * A DICOM object that Alveolus will not analyse: malformed, or not a single-frame frontal chest radiograph.
 * Carries a stable machine {@link Code} (for APIs, metrics and the STOW-RS failure reason) and a human message.
 * The message never contains patient-identifying values.
 */
public final class DicomRejected extends Exception {

    /** Why an object was refused. The names are part of the API: callers may return them to clients. */
    public enum Code {
        /** Not a DICOM Part 10 file (no "DICM" prefix after the 128-byte preamble), or empty. */
        NOT_DICOM(StowResponse.FAILURE_CANNOT_UNDERSTAND),
        /** The data set or its pixel data cannot be parsed: truncated, inconsistent lengths, missing attributes. */
        MALFORMED(StowResponse.FAILURE_CANNOT_UNDERSTAND),
        /** A transfer syntax whose pixel data this library cannot decode (JPEG-LS, 12-bit JPEG extended, ...). */
        UNSUPPORTED_TRANSFER_SYNTAX(StowResponse.FAILURE_TRANSFER_SYNTAX_NOT_SUPPORTED),
        /** Modality is not CR or DX (or is missing). */
        UNSUPPORTED_MODALITY(StowResponse.FAILURE_SOP_CLASS_NOT_SUPPORTED),
        /** More than one frame. */
        MULTI_FRAME(StowResponse.FAILURE_CANNOT_UNDERSTAND),
        /** Photometric interpretation other than MONOCHROME1/MONOCHROME2, or more than one sample per pixel. */
        COLOUR(StowResponse.FAILURE_CANNOT_UNDERSTAND),
        /** A lateral projection (ViewPosition LL, RL, LAT or LATERAL): the model reads frontal views only. */
        LATERAL_VIEW(StowResponse.FAILURE_CANNOT_UNDERSTAND),
        /** Bits allocated/stored or pixel representation this library does not handle, or an image over the
         *  contract's sides or decoded size ({@code io.alveolus.common.imaging.ImageLimits}). */
        UNSUPPORTED_PIXEL_FORMAT(StowResponse.FAILURE_CANNOT_UNDERSTAND),
        /** A file, or a data set once inflated, larger than the contract allows (HTTP 413). */
        TOO_LARGE(StowResponse.FAILURE_OUT_OF_RESOURCES),
        /** Nothing for the model to read: sides under the contract's minimum, or every pixel the same (blank). */
        DEGENERATE(StowResponse.FAILURE_CANNOT_UNDERSTAND),
        /** The JVM ran out of memory while decoding: retry later or with more memory. */
        OUT_OF_RESOURCES(StowResponse.FAILURE_OUT_OF_RESOURCES);

        private final int stowFailureReason;

        Code(int stowFailureReason) {
            this.stowFailureReason = stowFailureReason;
        }

        /**
         * The HTTP status an upload refused for this reason gets: 415 not DICOM or a transfer syntax not supported,
         * 413 too large, 503 out of memory (retry), otherwise 422 (understood, refused).
         */
        public int httpStatus() {
            return switch (this) {
                case NOT_DICOM, UNSUPPORTED_TRANSFER_SYNTAX -> 415;
                case TOO_LARGE -> 413;
                case OUT_OF_RESOURCES -> 503;
                default -> 422;
            };
        }

        /** The DICOM Failure Reason (0008,1197) a STOW-RS response should carry for this refusal. */
        public int stowFailureReason() {
            return stowFailureReason;
        }
    }

    private final Code code;

    public DicomRejected(Code code, String message) {
        super(Objects.requireNonNull(message, "message"));
        this.code = Objects.requireNonNull(code, "code");
    }

    public DicomRejected(Code code, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public Code code() {
        return code;
    }

    /** The human-readable reason (same as {@link #getMessage()}). */
    public String reason() {
        return getMessage();
    }

    @Override
    public String toString() {
        return "DicomRejected[" + code + "]: " + getMessage();
    }
}
