package io.alveolus.training;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;

/**
 * Training-time augmentation on a square [0,1] grey image. Geometry: random rotation (±maxDeg), scale with a
 * small aspect jitter (a random resized crop), translation; bilinear sampling with edge clamping. Photometry,
 * aimed at scanner and site shift: gamma, brightness and contrast, blur, noise, JPEG re-compression.
 * No horizontal flip (the heart and mediastinum are not left-right symmetric).
 */
public final class Augment {

    private final double maxDeg;
    private final double scaleMin;
    private final double scaleMax;
    private final double maxAspect;
    private final double maxShift;
    private final double maxBrightness;
    private final double contrastMin;
    private final double contrastMax;
    private final double maxLogGamma;
    private final double pBlur;
    private final double pNoise;
    private final double pJpeg;

    public Augment(double maxDeg, double scaleMin, double scaleMax, double maxAspect, double maxShift,
                   double maxBrightness, double contrastMin, double contrastMax, double maxLogGamma, double pBlur,
                   double pNoise, double pJpeg) {
        this.maxDeg = maxDeg;
        this.scaleMin = scaleMin;
        this.scaleMax = scaleMax;
        this.maxAspect = maxAspect;
        this.maxShift = maxShift;
        this.maxBrightness = maxBrightness;
        this.contrastMin = contrastMin;
        this.contrastMax = contrastMax;
        this.maxLogGamma = maxLogGamma;
        this.pBlur = pBlur;
        this.pNoise = pNoise;
        this.pJpeg = pJpeg;
    }

    /** v1's augmentation: mild geometry, brightness and contrast only. */
    public static Augment standard() {
        return new Augment(7, 0.9, 1.1, 0, 0.06, 0.08, 0.85, 1.15, 0, 0, 0, 0);
    }

    /** v2's: random resized crops, gamma 0.67-1.5, blur, noise and JPEG re-compression against site shift. */
    public static Augment siteShift() {
        return new Augment(10, 0.85, 1.25, 0.08, 0.08, 0.08, 0.75, 1.3, Math.log(1.5), 0.25, 0.3, 0.25);
    }

    /** Writes the augmented image into {@code dst} (length size*size). */
    public void apply(float[] src, int size, Random rnd, float[] dst) {
        double ang = Math.toRadians((rnd.nextDouble() * 2 - 1) * maxDeg);
        double sc = scaleMin + rnd.nextDouble() * (scaleMax - scaleMin);
        double aspect = Math.exp((rnd.nextDouble() * 2 - 1) * maxAspect);
        double scx = sc * Math.sqrt(aspect);
        double scy = sc / Math.sqrt(aspect);
        double tx = (rnd.nextDouble() * 2 - 1) * maxShift * size;
        double ty = (rnd.nextDouble() * 2 - 1) * maxShift * size;
        double bright = (rnd.nextDouble() * 2 - 1) * maxBrightness;
        double contrast = contrastMin + rnd.nextDouble() * (contrastMax - contrastMin);
        double gamma = Math.exp((rnd.nextDouble() * 2 - 1) * maxLogGamma);
        double c = (size - 1) / 2.0;
        double cos = Math.cos(ang);
        double sin = Math.sin(ang);
        double sum = 0;
        for (int y = 0; y < size; y++) {
            double dy = y - c - ty;
            for (int x = 0; x < size; x++) {
                double dx = x - c - tx;
                // inverse map: rotate by -ang, then scale by 1/sc per axis
                double sx = (cos * dx + sin * dy) / scx + c;
                double sy = (-sin * dx + cos * dy) / scy + c;
                float v = sample(src, size, sx, sy);
                dst[y * size + x] = v;
                sum += v;
            }
        }
        double mean = sum / (size * size);
        for (int i = 0; i < dst.length; i++) {
            double v = (dst[i] - mean) * contrast + mean + bright;
            v = v < 0 ? 0 : (v > 1 ? 1 : v);
            dst[i] = (float) (gamma == 1 ? v : Math.pow(v, gamma));
        }
        if (rnd.nextDouble() < pBlur) {
            blur(dst, size, 1 + rnd.nextInt(2));
        }
        if (rnd.nextDouble() < pNoise) {
            double sigma = 0.005 + rnd.nextDouble() * 0.03;
            for (int i = 0; i < dst.length; i++) {
                double v = dst[i] + rnd.nextGaussian() * sigma;
                dst[i] = (float) (v < 0 ? 0 : (v > 1 ? 1 : v));
            }
        }
        if (rnd.nextDouble() < pJpeg) {
            jpeg(dst, size, 0.3f + rnd.nextFloat() * 0.6f);
        }
    }

    /** Box blur of radius r (separable), in place. */
    static void blur(float[] img, int size, int r) {
        float[] tmp = new float[img.length];
        boxPass(img, tmp, size, r, 1, size); // along x
        boxPass(tmp, img, size, r, size, 1); // along y
    }

    /** One 1-D box pass: {@code step} moves along the blurred axis, {@code lineStep} from line to line. */
    private static void boxPass(float[] src, float[] dst, int size, int r, int step, int lineStep) {
        for (int line = 0; line < size; line++) {
            for (int i = 0; i < size; i++) {
                double s = 0;
                int n = 0;
                for (int k = Math.max(0, i - r); k <= Math.min(size - 1, i + r); k++) {
                    s += src[line * lineStep + k * step];
                    n++;
                }
                dst[line * lineStep + i * step] = (float) (s / n);
            }
        }
    }

    /** JPEG round trip at the given quality (0..1), in place: compression artefacts of other sites. */
    static void jpeg(float[] img, int size, float quality) {
        BufferedImage bi = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        byte[] px = ((java.awt.image.DataBufferByte) bi.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < img.length; i++) {
            px[i] = (byte) Math.round(Math.max(0, Math.min(1, img[i])) * 255);
        }
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
            try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bos)) {
                w.setOutput(out);
                ImageWriteParam p = w.getDefaultWriteParam();
                p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                p.setCompressionQuality(quality);
                w.write(null, new IIOImage(bi, null, null), p);
            } finally {
                w.dispose();
            }
            BufferedImage back = ImageIO.read(new ByteArrayInputStream(bos.toByteArray()));
            java.awt.image.Raster r = back.getRaster();
            int[] row = new int[size];
            for (int y = 0; y < size; y++) {
                r.getSamples(0, y, size, 1, 0, row);
                for (int x = 0; x < size; x++) {
                    img[y * size + x] = row[x] / 255f;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static float sample(float[] src, int size, double x, double y) {
        x = Math.max(0, Math.min(size - 1, x));
        y = Math.max(0, Math.min(size - 1, y));
        int x0 = (int) x;
        int y0 = (int) y;
        int x1 = Math.min(x0 + 1, size - 1);
        int y1 = Math.min(y0 + 1, size - 1);
        double fx = x - x0;
        double fy = y - y0;
        double a = src[y0 * size + x0] * (1 - fx) + src[y0 * size + x1] * fx;
        double b = src[y1 * size + x0] * (1 - fx) + src[y1 * size + x1] * fx;
        return (float) (a * (1 - fy) + b * fy);
    }
}
