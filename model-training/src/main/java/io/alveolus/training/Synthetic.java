package io.alveolus.training;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Random;

/**
 * Images the model must not read, made on the fly for the applicability head's negatives: real radiographs
 * turned the wrong way (rotated 90°/180°, inverted, a corner only), and non-radiographs (noise, patterns,
 * shapes, text, a CT-like axial slice). All as square [0,1] grey images. The gate is tested on images made
 * by another tool (ImageMagick, model-training/make-gate-testset.sh), not by this class.
 */
public final class Synthetic {

    public enum Kind { ROTATED, UPSIDE_DOWN, INVERTED, CORNER, NOISE, PATTERN, SHAPES, TEXT, CT_LIKE }

    private Synthetic() {
    }

    /** A random kind's image; {@code real} is a [0,1] radiograph used by the kinds derived from one. */
    public static float[] make(float[] real, int size, Random rnd) {
        Kind k = Kind.values()[rnd.nextInt(Kind.values().length)];
        return make(k, real, size, rnd);
    }

    public static float[] make(Kind kind, float[] real, int size, Random rnd) {
        float[] out = new float[size * size];
        switch (kind) {
            case ROTATED -> {
                boolean cw = rnd.nextBoolean();
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        out[y * size + x] = cw ? real[(size - 1 - x) * size + y] : real[x * size + (size - 1 - y)];
                    }
                }
            }
            case UPSIDE_DOWN -> {
                for (int y = 0; y < size; y++) {
                    System.arraycopy(real, (size - 1 - y) * size, out, y * size, size);
                }
            }
            case INVERTED -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = 1 - real[i];
                }
            }
            case CORNER -> {
                double zoom = 2.5 + rnd.nextDouble() * 1.5;
                double w = size / zoom;
                double ox = rnd.nextBoolean() ? 0 : size - w;
                double oy = rnd.nextBoolean() ? 0 : size - w;
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        out[y * size + x] = Augment.sample(real, size, ox + x / zoom, oy + y / zoom);
                    }
                }
            }
            case NOISE -> {
                // multi-scale value noise: from white noise to plasma-like clouds
                int octaves = 1 + rnd.nextInt(5);
                for (int o = 0; o < octaves; o++) {
                    int cells = Math.max(2, size >> (o + rnd.nextInt(3)));
                    float[] grid = new float[cells * cells];
                    for (int i = 0; i < grid.length; i++) {
                        grid[i] = rnd.nextFloat();
                    }
                    float[] up = io.alveolus.model.Preprocessor.resize(grid, cells, cells, size, size);
                    for (int i = 0; i < out.length; i++) {
                        out[i] += up[i] / octaves;
                    }
                }
            }
            case PATTERN -> {
                int period = 4 + rnd.nextInt(40);
                int type = rnd.nextInt(4);
                double a = rnd.nextDouble() * Math.PI;
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        double v = switch (type) {
                            case 0 -> ((x / period) + (y / period)) % 2; // checkerboard
                            case 1 -> 0.5 + 0.5 * Math.sin((x * Math.cos(a) + y * Math.sin(a)) * 2 * Math.PI / period);
                            case 2 -> (x * Math.cos(a) + y * Math.sin(a)) / (size * 1.5) + 0.3; // gradient
                            default -> Math.hypot(x - size / 2.0, y - size / 2.0) / size; // radial
                        };
                        out[y * size + x] = (float) Math.max(0, Math.min(1, v));
                    }
                }
            }
            case SHAPES -> drawn(out, size, rnd, false);
            case TEXT -> drawn(out, size, rnd, true);
            case CT_LIKE -> ctLike(out, size, rnd);
        }
        return out;
    }

    private static void drawn(float[] out, int size, Random rnd, boolean text) {
        BufferedImage bi = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = bi.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        int bg = text ? 170 + rnd.nextInt(86) : rnd.nextInt(256);
        g.setColor(new Color(bg, bg, bg));
        g.fillRect(0, 0, size, size);
        if (text) {
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,:";
            int fontSize = 10 + rnd.nextInt(24);
            g.setFont(new Font(rnd.nextBoolean() ? Font.SERIF : Font.SANS_SERIF, Font.PLAIN, fontSize));
            int ink = rnd.nextInt(90);
            g.setColor(new Color(ink, ink, ink));
            for (int y = fontSize; y < size; y += fontSize + 2 + rnd.nextInt(6)) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 40; i++) {
                    sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
                }
                g.drawString(sb.toString(), rnd.nextInt(12) - 6, y);
            }
        } else {
            int n = 3 + rnd.nextInt(15);
            for (int i = 0; i < n; i++) {
                int v = rnd.nextInt(256);
                g.setColor(new Color(v, v, v));
                g.setStroke(new BasicStroke(1 + rnd.nextInt(6)));
                int x = rnd.nextInt(size);
                int y = rnd.nextInt(size);
                int w = 5 + rnd.nextInt(size / 2);
                int h = 5 + rnd.nextInt(size / 2);
                switch (rnd.nextInt(4)) {
                    case 0 -> g.fillOval(x - w / 2, y - h / 2, w, h);
                    case 1 -> g.fillRect(x - w / 2, y - h / 2, w, h);
                    case 2 -> g.drawLine(x, y, rnd.nextInt(size), rnd.nextInt(size));
                    default -> g.drawOval(x - w / 2, y - h / 2, w, h);
                }
            }
        }
        g.dispose();
        toUnit(bi, out, size);
    }

    /** An axial CT-like slice: dark field, soft-tissue ellipse with a bright rim, two dark lungs, a spine. */
    private static void ctLike(float[] out, int size, Random rnd) {
        BufferedImage bi = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = bi.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, size, size);
        int bw = (int) (size * (0.7 + rnd.nextDouble() * 0.25));
        int bh = (int) (bw * (0.55 + rnd.nextDouble() * 0.25));
        int cx = size / 2 + rnd.nextInt(11) - 5;
        int cy = size / 2 + rnd.nextInt(11) - 5;
        int soft = 90 + rnd.nextInt(60);
        g.setColor(new Color(soft, soft, soft));
        g.fillOval(cx - bw / 2, cy - bh / 2, bw, bh);
        g.setColor(new Color(220, 220, 220));
        g.setStroke(new BasicStroke(2 + rnd.nextInt(4)));
        g.drawOval(cx - bw / 2 + 8, cy - bh / 2 + 8, bw - 16, bh - 16);
        int lw = bw / 3;
        int lh = (int) (bh * 0.7);
        int lung = 10 + rnd.nextInt(30);
        g.setColor(new Color(lung, lung, lung));
        g.fillOval(cx - lw - bw / 16, cy - lh / 2, lw, lh);
        g.fillOval(cx + bw / 16, cy - lh / 2, lw, lh);
        g.setColor(new Color(240, 240, 240));
        int sp = bw / 10;
        g.fillOval(cx - sp / 2, cy + bh / 2 - sp * 2, sp, sp);
        g.dispose();
        toUnit(bi, out, size);
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.max(0, Math.min(1, out[i] + rnd.nextGaussian() * 0.02));
        }
    }

    private static void toUnit(BufferedImage bi, float[] out, int size) {
        int[] row = new int[size];
        for (int y = 0; y < size; y++) {
            bi.getRaster().getSamples(0, y, size, 1, 0, row);
            for (int x = 0; x < size; x++) {
                out[y * size + x] = row[x] / 255f;
            }
        }
    }
}
