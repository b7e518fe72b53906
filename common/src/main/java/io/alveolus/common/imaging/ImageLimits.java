package io.alveolus.common.imaging;

import java.util.Optional;

/**
 * The validation contract: the limits every entry point applies to an image, per format, written once. Used by
 * {@link ImageInspector} (PNG, JPEG), by the DICOM decoder (interop {@code DicomImage}), and by ingest for both
 * {@code /api/images} and STOW-RS (and C-STORE when it exists); see docs/operations.md, "Validation contract".
 *
 * <ul>
 *   <li>PNG and JPEG: at most {@link #MAX_RASTER_FILE_BYTES} of file.</li>
 *   <li>DICOM: bounded by its decoded pixels, not by its file (an uncompressed 16-bit CR/DX is 18-37 MB); the file
 *       may hold those pixels plus {@link #MAX_DICOM_OVERHEAD_BYTES} of header, encapsulation and padding.</li>
 *   <li>Every format: each side from {@link #MIN_SIDE} to {@link #MAX_SIDE} pixels, and at most
 *       {@link #MAX_DECODED_BYTES} of decoded samples (width x height x samples x bytes per sample), checked from the
 *       header before any pixel is allocated.</li>
 * </ul>
 * Every problem is a sentence for the client, without internal names; {@code Optional.empty()} means within limits.
 */
public final class ImageLimits {
    /** Smallest side: below it there is nothing for the model to read (a 1x1 image is degenerate). */
    public static final int MIN_SIDE = 64;
    /** Largest side: well above any radiograph (about 4300 px). */
    public static final int MAX_SIDE = 8192;
    /** Decoded samples of one image, every format: an 8192 x 8192 8-bit grey image, or 4096 x 4096 16-bit RGB. */
    public static final long MAX_DECODED_BYTES = 64L * 1024 * 1024;
    /** Pixels of one image (width x height): what the decoded budget allows at one byte a pixel. */
    public static final long MAX_PIXELS = MAX_DECODED_BYTES;
    /** File size of a PNG or JPEG. */
    public static final long MAX_RASTER_FILE_BYTES = 20L * 1024 * 1024;
    /** What a DICOM file may hold besides its pixels: the data set's other attributes, fragments, padding. */
    public static final long MAX_DICOM_OVERHEAD_BYTES = 8L * 1024 * 1024;
    /** File size of a DICOM instance: its largest decoded pixels, uncompressed, plus the overhead. */
    public static final long MAX_DICOM_FILE_BYTES = MAX_DECODED_BYTES + MAX_DICOM_OVERHEAD_BYTES;
    /** Largest HTTP body any image entry point needs (the largest file of any format). */
    public static final long MAX_FILE_BYTES = Math.max(MAX_RASTER_FILE_BYTES, MAX_DICOM_FILE_BYTES);

    private ImageLimits() {
    }

    /** The largest file accepted for this format. */
    public static long maxFileBytes(ImageFormat format) {
        return format == ImageFormat.DICOM ? MAX_DICOM_FILE_BYTES : MAX_RASTER_FILE_BYTES;
    }

    /** A file over its format's limit (HTTP 413). */
    public static Optional<String> fileSizeProblem(ImageFormat format, long bytes) {
        long max = maxFileBytes(format);
        if (bytes > max) {
            return Optional.of("the " + name(format) + " file is " + bytes + " bytes; the limit for " + name(format)
                    + " is " + max + " bytes" + (format == ImageFormat.DICOM
                    ? " (its decoded pixels at most " + MAX_DECODED_BYTES + " bytes, plus "
                    + MAX_DICOM_OVERHEAD_BYTES + " bytes of header)" : ""));
        }
        return Optional.empty();
    }

    /** Sides outside {@link #MIN_SIDE}..{@link #MAX_SIDE} (HTTP 422): degenerate, or absurd. */
    public static Optional<String> dimensionProblem(long width, long height) {
        if (width < MIN_SIDE || height < MIN_SIDE || width > MAX_SIDE || height > MAX_SIDE) {
            return Optional.of("image is " + width + "x" + height + " pixels; accepted sides are " + MIN_SIDE + " to "
                    + MAX_SIDE + " pixels");
        }
        return Optional.empty();
    }

    /**
     * Decoded size over {@link #MAX_DECODED_BYTES} (HTTP 422: a decompression bomb, or an image larger than any
     * radiograph), from the header's width, height, samples per pixel and bits per sample.
     */
    public static Optional<String> decodedSizeProblem(long width, long height, int samplesPerPixel, int bitsPerSample) {
        long decoded = decodedBytes(width, height, samplesPerPixel, bitsPerSample);
        if (decoded < 0 || decoded > MAX_DECODED_BYTES) {
            return Optional.of("image of " + width + "x" + height + " pixels, " + samplesPerPixel + " sample(s) of "
                    + bitsPerSample + " bits, decodes to more than the limit of " + MAX_DECODED_BYTES + " bytes");
        }
        return Optional.empty();
    }

    /** Both checks, dimensions first. */
    public static Optional<String> pixelProblem(long width, long height, int samplesPerPixel, int bitsPerSample) {
        return dimensionProblem(width, height)
                .or(() -> decodedSizeProblem(width, height, samplesPerPixel, bitsPerSample));
    }

    /** Bytes of decoded samples; each sample takes whole bytes. Negative when the inputs are absurd. */
    public static long decodedBytes(long width, long height, int samplesPerPixel, int bitsPerSample) {
        if (width < 0 || height < 0 || samplesPerPixel < 1 || bitsPerSample < 1 || width > Integer.MAX_VALUE
                || height > Integer.MAX_VALUE || samplesPerPixel > 64 || bitsPerSample > 64) {
            return -1;
        }
        long bytesPerSample = (bitsPerSample + 7) / 8;
        try {
            return Math.multiplyExact(Math.multiplyExact(width, height), samplesPerPixel * bytesPerSample);
        } catch (ArithmeticException overflow) {
            return -1;
        }
    }

    /**
     * Whether every pixel of a decoded image has the same value in every band (a blank or constant image: nothing for
     * the model to read). Stops at the first difference, so a real image costs a row or two.
     */
    public static boolean isConstant(java.awt.image.BufferedImage image) {
        java.awt.image.Raster r = image.getRaster();
        int bands = r.getNumBands();
        int w = r.getWidth();
        int[] first = r.getPixel(r.getMinX(), r.getMinY(), (int[]) null);
        int[] row = new int[w * bands];
        for (int y = 0; y < r.getHeight(); y++) {
            r.getPixels(r.getMinX(), r.getMinY() + y, w, 1, row);
            for (int i = 0; i < row.length; i++) {
                if (row[i] != first[i % bands]) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String name(ImageFormat f) {
        return f == null ? "image" : f.name();
    }
}
