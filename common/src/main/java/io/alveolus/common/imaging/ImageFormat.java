package io.alveolus.common.imaging;

import java.util.Optional;

/** Image formats Alveolus accepts, recognised by their magic bytes, never by the declared content type. */
public enum ImageFormat {
    PNG("image/png"), JPEG("image/jpeg"), DICOM("application/dicom");

    private final String mediaType;

    ImageFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    public static Optional<ImageFormat> sniff(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G'
                && b[4] == 0x0d && b[5] == 0x0a && b[6] == 0x1a && b[7] == 0x0a) {
            return Optional.of(PNG);
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
            return Optional.of(JPEG);
        }
        if (b.length >= 132 && b[128] == 'D' && b[129] == 'I' && b[130] == 'C' && b[131] == 'M') {
            return Optional.of(DICOM);
        }
        return Optional.empty();
    }
}
