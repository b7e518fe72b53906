package io.alveolus.interop;

import java.awt.image.BufferedImage;
import java.util.Objects;

/**
 * A decoded single-frame chest radiograph.
 *
 * @param image    8-bit greyscale ({@link BufferedImage#TYPE_BYTE_GRAY}), display-ready: modality LUT, VOI
 *                 (window or min-max) and MONOCHROME1 inversion applied, so 0 is black and 255 white
 * @param metadata the identifying and technical attributes (contains the raw patient id: do not log)
 */
public record DecodedDicom(BufferedImage image, DicomMetadata metadata) {
    public DecodedDicom {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(metadata, "metadata");
    }
}
