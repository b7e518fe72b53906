package io.alveolus.model;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Renders class activation maps as RGBA PNG overlays: the one renderer of every picture made from a stored CAM grid
 * (results-service draws them lazily; the worker stores only the grid). Pure Java, no engine: services that do not
 * run the model use it too. Stateless and thread-safe.
 */
public final class Heatmaps {

    /** CAM values below this are fully transparent. */
    public static final float DEFAULT_FLOOR = 0.2f;
    /** Maximum overlay opacity (0..255). */
    public static final int MAX_ALPHA = 160;

    private Heatmaps() {
    }

    /**
     * Overlay of a raw CAM grid ({@code width x height}, row-major) at {@code size} square: upsampled bilinearly,
     * ReLU, divided by its maximum, jet colours with alpha rising with the value.
     */
    public static byte[] png(float[] grid, int width, int height, int size) {
        return png(normalised(grid, width, height, size), size, DEFAULT_FLOOR);
    }

    /** The grid upsampled to {@code size} square, ReLU'd and divided by its maximum (0..1; zeros if none > 0). */
    public static float[] normalised(float[] grid, int width, int height, int size) {
        if (grid == null || width < 1 || height < 1 || grid.length != width * height) {
            throw new IllegalArgumentException("not a CAM grid of " + width + "x" + height);
        }
        float[] up = Preprocessor.resize(grid, width, height, size, size);
        float max = 0;
        for (float v : up) {
            max = Math.max(max, v);
        }
        for (int j = 0; j < up.length; j++) {
            up[j] = max > 0 ? Math.max(0f, up[j]) / max : 0f;
        }
        return up;
    }

    /** The grid as little-endian float32 bytes (how a result stores it). */
    public static byte[] encode(float[] grid) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * grid.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(grid);
        return b.array();
    }

    /** Inverse of {@link #encode}. */
    public static float[] decode(byte[] bytes) {
        if (bytes == null || bytes.length % 4 != 0) {
            throw new IllegalArgumentException("not an encoded CAM grid");
        }
        float[] g = new float[bytes.length / 4];
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(g);
        return g;
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
