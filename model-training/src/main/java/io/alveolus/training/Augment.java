package io.alveolus.training;

import java.util.Random;

/**
 * Training-time augmentation on a square [0,1] grey image: random rotation (±maxDeg), isotropic scale,
 * translation, brightness and contrast; bilinear sampling with edge clamping. No horizontal flip
 * (the heart and mediastinum are not left-right symmetric).
 */
public final class Augment {

    private final double maxDeg;
    private final double scaleMin;
    private final double scaleMax;
    private final double maxShift;
    private final double maxBrightness;
    private final double contrastMin;
    private final double contrastMax;

    public Augment(double maxDeg, double scaleMin, double scaleMax, double maxShift, double maxBrightness,
                   double contrastMin, double contrastMax) {
        this.maxDeg = maxDeg;
        this.scaleMin = scaleMin;
        this.scaleMax = scaleMax;
        this.maxShift = maxShift;
        this.maxBrightness = maxBrightness;
        this.contrastMin = contrastMin;
        this.contrastMax = contrastMax;
    }

    public static Augment standard() {
        return new Augment(7, 0.9, 1.1, 0.06, 0.08, 0.85, 1.15);
    }

    /** Writes the augmented image into {@code dst} (length size*size). */
    public void apply(float[] src, int size, Random rnd, float[] dst) {
        double ang = Math.toRadians((rnd.nextDouble() * 2 - 1) * maxDeg);
        double sc = scaleMin + rnd.nextDouble() * (scaleMax - scaleMin);
        double tx = (rnd.nextDouble() * 2 - 1) * maxShift * size;
        double ty = (rnd.nextDouble() * 2 - 1) * maxShift * size;
        double bright = (rnd.nextDouble() * 2 - 1) * maxBrightness;
        double contrast = contrastMin + rnd.nextDouble() * (contrastMax - contrastMin);
        double c = (size - 1) / 2.0;
        double cos = Math.cos(ang) / sc;
        double sin = Math.sin(ang) / sc;
        double sum = 0;
        for (int y = 0; y < size; y++) {
            double dy = y - c - ty;
            for (int x = 0; x < size; x++) {
                double dx = x - c - tx;
                // inverse map: rotate by -ang and scale by 1/sc
                double sx = cos * dx + sin * dy + c;
                double sy = -sin * dx + cos * dy + c;
                float v = sample(src, size, sx, sy);
                dst[y * size + x] = v;
                sum += v;
            }
        }
        double mean = sum / (size * size);
        for (int i = 0; i < dst.length; i++) {
            double v = (dst[i] - mean) * contrast + mean + bright;
            dst[i] = (float) (v < 0 ? 0 : (v > 1 ? 1 : v));
        }
    }

    private static float sample(float[] src, int size, double x, double y) {
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
