package io.alveolus.common.imaging;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Checks an image before anything is stored: its header dimensions are read first, so an absurd size or a
 * decompression bomb is refused without allocating its pixels; then it is decoded once to prove it is whole.
 */
public final class ImageInspector {
    public static final int MIN_SIDE = 64;
    public static final int MAX_SIDE = 8192;
    public static final long MAX_PIXELS = 40L * 1024 * 1024;

    public record Inspection(ImageFormat format, int width, int height) {
    }

    /** Why an image is refused; {@code unsupported} means 415, otherwise 422. */
    public static class Rejected extends Exception {
        private final boolean unsupported;

        Rejected(String reason, boolean unsupported) {
            super(reason);
            this.unsupported = unsupported;
        }

        public boolean unsupported() {
            return unsupported;
        }
    }

    private ImageInspector() {
    }

    public static Inspection inspect(byte[] bytes) throws Rejected {
        ImageFormat format = ImageFormat.sniff(bytes)
                .orElseThrow(() -> new Rejected("not a PNG, JPEG or DICOM image (checked by its content)", true));
        if (format == ImageFormat.DICOM) {
            throw new Rejected("DICOM is checked by the DICOM decoder, not by this inspector", true);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            // By format name, not by probing every reader on the classpath (the DICOM toolkit's print on each probe).
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format == ImageFormat.PNG ? "png" : "jpeg");
            if (!readers.hasNext()) {
                throw new Rejected("no decoder for this " + format + " image", false);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w < MIN_SIDE || h < MIN_SIDE || w > MAX_SIDE || h > MAX_SIDE || (long) w * h > MAX_PIXELS) {
                    throw new Rejected("image is " + w + "x" + h + " pixels; accepted sides are " + MIN_SIDE + " to "
                            + MAX_SIDE + " pixels", false);
                }
                // Lenient decoders fill a truncated image with grey and only warn: a warning is a refusal here.
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage img = reader.read(0);
                if (img == null || !warnings.isEmpty()) {
                    throw new Rejected("image could not be decoded", false);
                }
                return new Inspection(format, w, h);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new Rejected("image is corrupt or truncated and cannot be decoded", false);
        }
    }
}
