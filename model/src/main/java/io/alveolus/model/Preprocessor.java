package io.alveolus.model;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The single preprocessing used by training, evaluation and inference:
 * any {@link BufferedImage} (RGB, 8-bit grey, 16-bit grey, indexed...) &rarr; greyscale in [0,1] &rarr;
 * resize to {@code inputSize x inputSize} (bilinear; triangle filter widened when downscaling, like PIL's
 * BILINEAR, so large radiographs are not aliased; aspect ratio is NOT kept, as in the training data) &rarr;
 * (v2 models: {@link #window percentile window}, so the grey scale does not depend on the scanner's
 * exposure, window or bit depth) &rarr;
 * {@code (x - mean) / std} &rarr; {@code float[inputSize * inputSize]} in row-major order.
 * Immutable and thread-safe.
 */
public final class Preprocessor {

    /** Intensity mode of v2: grey levels mapped linearly so that the 1st..99th percentiles span [0,1]. */
    public static final String PERCENTILE_WINDOW = "percentile-1-99";
    static final double LOW_PERCENTILE = 0.01;
    static final double HIGH_PERCENTILE = 0.99;

    private final int inputSize;
    private final float mean;
    private final float std;
    private final boolean windowed;

    public Preprocessor(int inputSize, float mean, float std) {
        this(inputSize, mean, std, null);
    }

    public Preprocessor(int inputSize, float mean, float std, String intensity) {
        if (inputSize <= 0 || std <= 0) {
            throw new IllegalArgumentException("inputSize and std must be positive");
        }
        if (intensity != null && !"none".equals(intensity) && !PERCENTILE_WINDOW.equals(intensity)) {
            throw new IllegalArgumentException("unknown intensity normalisation " + intensity);
        }
        this.inputSize = inputSize;
        this.mean = mean;
        this.std = std;
        this.windowed = PERCENTILE_WINDOW.equals(intensity);
    }

    public Preprocessor(ModelManifest manifest) {
        this(manifest.inputSize(), manifest.normalisation().mean(), manifest.normalisation().std(),
                manifest.intensity());
    }

    /** True if this preprocessor applies the percentile window (v2). */
    public boolean windowed() {
        return windowed;
    }

    /**
     * Percentile window in place: {@code (x - p1) / (p99 - p1)} clamped to [0,1], percentiles from a
     * 1024-bin histogram. A constant image (no spread) becomes all zeros. Returns the array.
     */
    public static float[] window(float[] unit) {
        return window(unit, stats(unit));
    }

    /** {@link #window(float[])} with the percentiles of statistics already computed for this very array. */
    public static float[] window(float[] unit, GreyStats stats) {
        double lo = stats.p01();
        double span = stats.spread();
        double perSpan = span <= 1e-6 ? 0 : 1 / span; // a multiply per pixel, not a division
        for (int i = 0; i < unit.length; i++) {
            double v = (unit[i] - lo) * perSpan;
            unit[i] = (float) (v < 0 ? 0 : (v > 1 ? 1 : v));
        }
        return unit;
    }

    /** The 1st-99th percentile spread of a [0,1] image: near 0 for blank or constant images. */
    public static double spread(float[] unit) {
        return stats(unit).spread();
    }

    /**
     * Mean, standard deviation and 1st/99th percentiles of a [0,1] image in one pass: the percentiles from a 1024-bin
     * histogram (the window's), mean and deviation from the same loop's sums.
     */
    public static GreyStats stats(float[] unit) {
        final int bins = 1024;
        int[] hist = new int[bins];
        double sum = 0;
        double sumSq = 0;
        for (float v : unit) {
            int b = (int) (v * (bins - 1) + 0.5f);
            hist[b < 0 ? 0 : (b >= bins ? bins - 1 : b)]++;
            sum += v;
            sumSq += (double) v * v;
        }
        int n = unit.length;
        long lowRank = (long) Math.floor(LOW_PERCENTILE * (n - 1));
        long highRank = (long) Math.ceil(HIGH_PERCENTILE * (n - 1));
        double lo = 0;
        double hi = 1;
        long seen = 0;
        boolean loSet = false;
        for (int b = 0; b < bins; b++) {
            seen += hist[b];
            if (!loSet && seen > lowRank) {
                lo = b / (double) (bins - 1);
                loSet = true;
            }
            if (seen > highRank) {
                hi = b / (double) (bins - 1);
                break;
            }
        }
        double mean = n == 0 ? 0 : sum / n;
        double variance = n == 0 ? 0 : Math.max(0, sumSq / n - mean * mean);
        return new GreyStats(mean, Math.sqrt(variance), lo, hi);
    }

    public int inputSize() {
        return inputSize;
    }

    /** Full pipeline: grey, resize, scale to [0,1], (v2) percentile window, normalise. */
    public float[] apply(BufferedImage image) {
        return fromUnitGrey(toUnitGrey(image));
    }

    /** The rest of the pipeline from a resized [0,1] grey image (in place): window if v2, then normalise. */
    public float[] fromUnitGrey(float[] unit) {
        return fromUnitGrey(unit, windowed ? stats(unit) : null);
    }

    /** {@link #fromUnitGrey(float[])} with this array's statistics already computed (the window reuses them). */
    public float[] fromUnitGrey(float[] unit, GreyStats stats) {
        if (windowed) {
            window(unit, stats);
        }
        return normalise(unit);
    }

    /** Grey, resized to inputSize, in [0,1], not normalised (used by training augmentation). */
    public float[] toUnitGrey(BufferedImage image) {
        float[] grey = grey(image);
        if (image.getWidth() == inputSize && image.getHeight() == inputSize) {
            return grey; // already the input size: grey() made a fresh array, no copy needed
        }
        return resize(grey, image.getWidth(), image.getHeight(), inputSize, inputSize);
    }

    /** Normalises a [0,1] array in place and returns it. */
    public float[] normalise(float[] unit) {
        for (int i = 0; i < unit.length; i++) {
            unit[i] = (unit[i] - mean) / std;
        }
        return unit;
    }

    /**
     * Greyscale values in [0,1] at the image's own size. Grey images (any bit depth) use the raw samples
     * divided by the maximum sample value; colour images use the sRGB values: R when R == G == B, else
     * Rec. 601 luma (0.299 R + 0.587 G + 0.114 B).
     */
    public static float[] grey(BufferedImage image) {
        float[] fast = greyFromBytes(image);
        if (fast != null) {
            return fast;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        float[] out = new float[w * h];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof java.awt.image.IndexColorModel)) {
            int bits = cm.getComponentSize(0);
            double max = bits >= 32 ? 4294967295.0 : (double) ((1L << bits) - 1);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    out[y * w + x] = (float) clamp01((row[x] & 0xFFFFFFFFL) / max);
                }
            }
            return out;
        }
        int[] rgb = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, rgb, 0, w);
            for (int x = 0; x < w; x++) {
                int p = rgb[x];
                int r = (p >> 16) & 0xFF;
                int g = (p >> 8) & 0xFF;
                int b = p & 0xFF;
                float v = (r == g && g == b) ? r : (float) (0.299 * r + 0.587 * g + 0.114 * b);
                out[y * w + x] = v / 255f;
            }
        }
        return out;
    }

    /**
     * The same values as {@link #grey}'s general path, read straight from the raster's byte array for the layouts
     * the JDK's decoders produce for radiographs (8-bit grey, 3-byte BGR), instead of one sample or pixel call
     * at a time; null for any other layout.
     */
    private static float[] greyFromBytes(BufferedImage image) {
        int type = image.getType();
        if (type != BufferedImage.TYPE_BYTE_GRAY && type != BufferedImage.TYPE_3BYTE_BGR) {
            return null;
        }
        Raster raster = image.getRaster();
        if (!(raster.getDataBuffer() instanceof java.awt.image.DataBufferByte buffer)
                || !(raster.getSampleModel() instanceof java.awt.image.PixelInterleavedSampleModel sm)
                || raster.getParent() != null || raster.getSampleModelTranslateX() != 0
                || raster.getSampleModelTranslateY() != 0 || buffer.getNumBanks() != 1) {
            return null;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        int stride = sm.getScanlineStride();
        int pixelStride = sm.getPixelStride();
        int[] offsets = sm.getBandOffsets();
        byte[] data = buffer.getData();
        float[] out = new float[w * h];
        if (type == BufferedImage.TYPE_BYTE_GRAY) {
            if (pixelStride != 1) {
                return null;
            }
            for (int y = 0; y < h; y++) {
                int row = y * stride + offsets[0];
                int o = y * w;
                for (int x = 0; x < w; x++) {
                    out[o + x] = GREY8[data[row + x] & 0xFF];
                }
            }
            return out;
        }
        if (pixelStride != 3 || offsets.length != 3) {
            return null;
        }
        int or = offsets[0];
        int og = offsets[1];
        int ob = offsets[2];
        for (int y = 0; y < h; y++) {
            int row = y * stride;
            int o = y * w;
            for (int x = 0; x < w; x++) {
                int i = row + x * 3;
                int r = data[i + or] & 0xFF;
                int g = data[i + og] & 0xFF;
                int b = data[i + ob] & 0xFF;
                // grey content (what radiographs decode to) by table; the luma formula only for real colour
                out[o + x] = (r == g && g == b) ? RGB_GREY[r] : (float) (0.299 * r + 0.587 * g + 0.114 * b) / 255f;
            }
        }
        return out;
    }

    /** {@code (float) (v / 255.0)}: an 8-bit grey sample in [0,1], as the general path computes it. */
    private static final float[] GREY8 = new float[256];
    /** {@code (float) v / 255f}: an R == G == B pixel in [0,1], as the general path computes it. */
    private static final float[] RGB_GREY = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            GREY8[v] = (float) (v / 255.0);
            RGB_GREY[v] = (float) v / 255f;
        }
    }

    private static double clamp01(double v) {
        return v < 0 ? 0 : (v > 1 ? 1 : v);
    }

    /**
     * Separable bilinear (triangle filter) resize with half-pixel centres. When downscaling, the filter
     * support grows with the scale factor (antialiasing). Identity when sizes match.
     */
    public static float[] resize(float[] src, int sw, int sh, int dw, int dh) {
        if (sw == dw && sh == dh) {
            return src.clone();
        }
        float[] tmp = new float[dw * sh];
        Kernel kx = Kernel.of(sw, dw);
        for (int y = 0; y < sh; y++) {
            int rowOff = y * sw;
            for (int x = 0; x < dw; x++) {
                double acc = 0;
                int start = kx.start[x];
                double[] wts = kx.weights[x];
                for (int k = 0; k < wts.length; k++) {
                    acc += wts[k] * src[rowOff + start + k];
                }
                tmp[y * dw + x] = (float) acc;
            }
        }
        float[] out = new float[dw * dh];
        Kernel ky = Kernel.of(sh, dh);
        for (int y = 0; y < dh; y++) {
            int start = ky.start[y];
            double[] wts = ky.weights[y];
            for (int x = 0; x < dw; x++) {
                double acc = 0;
                for (int k = 0; k < wts.length; k++) {
                    acc += wts[k] * tmp[(start + k) * dw + x];
                }
                out[y * dw + x] = (float) acc;
            }
        }
        return out;
    }

    private record Kernel(int[] start, double[][] weights) {
        static Kernel of(int in, int out) {
            double scale = (double) in / out;
            double support = Math.max(1.0, scale); // triangle half-width in source pixels
            int[] start = new int[out];
            double[][] weights = new double[out][];
            for (int i = 0; i < out; i++) {
                double centre = (i + 0.5) * scale;
                int lo = (int) Math.floor(centre - support);
                int hi = (int) Math.ceil(centre + support);
                lo = Math.max(lo, 0);
                hi = Math.min(hi, in);
                double[] w = new double[hi - lo];
                double sum = 0;
                for (int j = lo; j < hi; j++) {
                    double d = Math.abs((j + 0.5 - centre) / support);
                    double v = Math.max(0.0, 1.0 - d);
                    w[j - lo] = v;
                    sum += v;
                }
                if (sum <= 0) { // degenerate: nearest
                    int n = Math.min(in - 1, Math.max(0, (int) centre));
                    start[i] = n;
                    weights[i] = new double[] {1.0};
                    continue;
                }
                for (int k = 0; k < w.length; k++) {
                    w[k] /= sum;
                }
                start[i] = lo;
                weights[i] = w;
            }
            return new Kernel(start, weights);
        }
    }

    /**
     * Decodes PNG/JPEG/BMP/GIF bytes with ImageIO.
     *
     * @throws IllegalArgumentException if the bytes are empty or no ImageIO reader can decode them
     */
    public static BufferedImage decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new IllegalArgumentException("Cannot decode image: no bytes");
        }
        BufferedImage img;
        try {
            img = read(bytes);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("Cannot decode image (" + bytes.length + " bytes): " + e.getMessage(), e);
        }
        if (img == null) {
            throw new IllegalArgumentException("Cannot decode image (" + bytes.length
                    + " bytes): not a format ImageIO can read (PNG, JPEG, BMP, GIF)");
        }
        return img;
    }

    /**
     * PNG and JPEG (by their signatures) go straight to a reader for that format; ImageIO.read would probe every
     * reader on the classpath, and a DICOM toolkit's reader prints to stderr on each probe.
     */
    private static BufferedImage read(byte[] b) throws IOException {
        String format = b.length > 3 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G' ? "png"
                : b.length > 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff ? "jpeg"
                : null;
        var readers = format == null ? null : ImageIO.getImageReadersByFormatName(format);
        if (readers == null || !readers.hasNext()) {
            return ImageIO.read(new ByteArrayInputStream(b));
        }
        ImageReader reader = readers.next();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(b))) {
            reader.setInput(in, true, true);
            return reader.read(0);
        } finally {
            reader.dispose();
        }
    }

    /** Reads and decodes a file; see {@link #decode(byte[])}. */
    public static BufferedImage decode(java.nio.file.Path file) {
        try {
            return decode(java.nio.file.Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
