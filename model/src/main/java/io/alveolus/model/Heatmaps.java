package io.alveolus.model;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Renders class activation maps as RGBA PNG overlays. Stateless and thread-safe. */
public final class Heatmaps {

    /** CAM values below this are fully transparent. */
    public static final float DEFAULT_FLOOR = 0.2f;
    /** Maximum overlay opacity (0..255). */
    public static final int MAX_ALPHA = 160;

    private Heatmaps() {
    }

    /** Overlay of {@code p.cam()} at {@code p.camSize()} square: jet colours, alpha rising with the value. */
    public static byte[] png(Prediction p) {
        return png(p.cam(), p.camSize(), DEFAULT_FLOOR);
    }

    public static BufferedImage image(float[] cam, int size, float floor) {
        if (cam.length != size * size) {
            throw new IllegalArgumentException("cam length " + cam.length + " != " + size + "^2");
        }
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
        int[] row = new int[size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                float v = Math.max(0f, Math.min(1f, cam[y * size + x]));
                if (v < floor) {
                    row[x] = 0;
                    continue;
                }
                float t = (v - floor) / Math.max(1e-6f, 1f - floor);
                int a = Math.round(MAX_ALPHA * (0.25f + 0.75f * t));
                row[x] = (a << 24) | jet(v);
            }
            img.setRGB(0, y, size, 1, row, 0, size);
        }
        return img;
    }

    public static byte[] png(float[] cam, int size, float floor) {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image(cam, size, floor), "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Jet colour map, v in [0,1] to 0xRRGGBB. */
    static int jet(float v) {
        float r = clamp(1.5f - Math.abs(4f * v - 3f));
        float g = clamp(1.5f - Math.abs(4f * v - 2f));
        float b = clamp(1.5f - Math.abs(4f * v - 1f));
        return (Math.round(r * 255) << 16) | (Math.round(g * 255) << 8) | Math.round(b * 255);
    }

    private static float clamp(float v) {
        return v < 0 ? 0 : (v > 1 ? 1 : v);
    }
}
