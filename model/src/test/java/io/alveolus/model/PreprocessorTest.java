package io.alveolus.model;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class PreprocessorTest {

    static BufferedImage grey8(int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, (x * 7 + y * 3 + r.nextInt(40)) & 0xFF);
            }
        }
        return img;
    }

    static BufferedImage rgbOf(BufferedImage grey) {
        BufferedImage img = new BufferedImage(grey.getWidth(), grey.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < grey.getHeight(); y++) {
            for (int x = 0; x < grey.getWidth(); x++) {
                int v = grey.getRaster().getSample(x, y, 0);
                img.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        return img;
    }

    static BufferedImage grey16Of(BufferedImage grey) {
        BufferedImage img = new BufferedImage(grey.getWidth(), grey.getHeight(), BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < grey.getHeight(); y++) {
            for (int x = 0; x < grey.getWidth(); x++) {
                img.getRaster().setSample(x, y, 0, grey.getRaster().getSample(x, y, 0) * 257);
            }
        }
        return img;
    }

    private final Preprocessor unit = new Preprocessor(192, 0f, 1f);

    @Test
    void outputHasInputSizeSquaredAndUnitRange() {
        for (BufferedImage img : new BufferedImage[] {grey8(224, 224, 1), grey8(1000, 700, 2), grey8(50, 80, 3)}) {
            float[] x = unit.apply(img);
            assertEquals(192 * 192, x.length);
            for (float v : x) {
                assertTrue(v >= 0f && v <= 1f, "value out of [0,1]: " + v);
            }
        }
    }

    @Test
    void normalisationAppliesMeanAndStd() {
        Preprocessor p = new Preprocessor(192, 0.5f, 0.25f);
        BufferedImage img = grey8(300, 300, 4);
        float[] u = unit.apply(img);
        float[] n = p.apply(img);
        for (int i = 0; i < u.length; i++) {
            assertEquals((u[i] - 0.5f) / 0.25f, n[i], 1e-5f);
        }
    }

    @Test
    void rgbWithGreyContentEqualsGrey8Exactly() {
        BufferedImage g = grey8(256, 240, 5);
        assertArrayEquals(unit.apply(g), unit.apply(rgbOf(g)));
    }

    @Test
    void sixteenBitGreyIsScaledByItsOwnRange() {
        BufferedImage g = grey8(256, 256, 6);
        float[] a = unit.apply(g);
        float[] b = unit.apply(grey16Of(g));
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 1e-6f);
        }
        // a 16-bit image using the full range is not clipped
        BufferedImage full = new BufferedImage(10, 10, BufferedImage.TYPE_USHORT_GRAY);
        full.getRaster().setSample(0, 0, 0, 65535);
        float[] raw = Preprocessor.grey(full);
        assertEquals(1f, raw[0], 0f);
        assertEquals(0f, raw[1], 0f);
    }

    @Test
    void colourUsesLuma() {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0000);
        img.setRGB(1, 0, 0x00FF00);
        float[] g = Preprocessor.grey(img);
        assertEquals(0.299f, g[0], 1e-4f);
        assertEquals(0.587f, g[1], 1e-4f);
    }

    @Test
    void resizeIsIdentityAtSameSizeAndPreservesConstants() {
        float[] src = new float[64 * 64];
        java.util.Arrays.fill(src, 0.3f);
        for (float v : Preprocessor.resize(src, 64, 64, 192, 192)) {
            assertEquals(0.3f, v, 1e-6f);
        }
        for (float v : Preprocessor.resize(src, 64, 64, 7, 5)) {
            assertEquals(0.3f, v, 1e-6f);
        }
        float[] id = {0.1f, 0.2f, 0.3f, 0.4f};
        assertArrayEquals(id, Preprocessor.resize(id, 2, 2, 2, 2));
    }

    @Test
    void decodeRoundTripsPngAndRejectsGarbage() throws Exception {
        BufferedImage g = grey8(32, 32, 7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(g, "png", out);
        BufferedImage back = Preprocessor.decode(out.toByteArray());
        assertArrayEquals(Preprocessor.grey(g), Preprocessor.grey(back));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Preprocessor.decode("not an image".getBytes()));
        assertTrue(e.getMessage().contains("Cannot decode"));
        assertThrows(IllegalArgumentException.class, () -> Preprocessor.decode(new byte[0]));
    }

    @Test
    void percentileWindowDoesNotDependOnExposureOrBitDepth() {
        Random r = new Random(3);
        int n = 224 * 224;
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) Math.min(1, Math.max(0, 0.5 + 0.15 * r.nextGaussian()));
        }
        // the same film, exposed darker and with less contrast (another scanner's window)
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            b[i] = 0.1f + 0.4f * a[i];
        }
        float[] wa = Preprocessor.window(a.clone());
        float[] wb = Preprocessor.window(b.clone());
        double maxDiff = 0;
        for (int i = 0; i < n; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(wa[i] - wb[i]));
        }
        assertTrue(maxDiff < 0.02, "windowed images differ by " + maxDiff);
        int clippedLow = 0;
        for (float v : wa) {
            clippedLow += v == 0f ? 1 : 0;
        }
        assertTrue(clippedLow > n / 200 && clippedLow < n / 40, "about 1 % clipped at 0: " + clippedLow);
        assertTrue(Preprocessor.spread(a) > 0.3);
        float[] constant = new float[n];
        java.util.Arrays.fill(constant, 0.7f);
        assertEquals(0, Preprocessor.spread(constant), 1e-9);
        for (float v : Preprocessor.window(constant)) {
            assertEquals(0f, v);
        }
    }

    @Test
    void rawStatisticsComeFromTheWindowsHistogramBeforeWindowing() {
        int n = 10_000;
        float[] ramp = new float[n];
        for (int i = 0; i < n; i++) {
            ramp[i] = 0.2f + 0.4f * i / (n - 1); // uniform on [0.2, 0.6]
        }
        GreyStats s = Preprocessor.stats(ramp);
        assertEquals(0.4, s.mean(), 1e-4);
        assertEquals(0.4 / Math.sqrt(12), s.std(), 1e-3);
        assertEquals(0.204, s.p01(), 2e-3);
        assertEquals(0.596, s.p99(), 2e-3);
        assertEquals(Preprocessor.spread(ramp), s.spread(), 1e-12);
        // the window with precomputed statistics is the window
        assertArrayEquals(Preprocessor.window(ramp.clone()), Preprocessor.window(ramp.clone(), s), 0f);
        float[] darker = ramp.clone();
        for (int i = 0; i < n; i++) {
            darker[i] *= 0.5f;
        }
        assertTrue(Preprocessor.stats(darker).mean() < s.mean() - 0.15);
    }

    @Test
    void v2PipelineWindowsBeforeNormalising() {
        Preprocessor v1 = new Preprocessor(8, 0.5f, 0.25f);
        Preprocessor v2 = new Preprocessor(8, 0.5f, 0.25f, Preprocessor.PERCENTILE_WINDOW);
        assertFalse(v1.windowed());
        assertTrue(v2.windowed());
        BufferedImage dim = grey8(8, 8, 5);
        float[] unit = v2.toUnitGrey(dim);
        float[] expected = v2.normalise(Preprocessor.window(unit.clone()));
        assertArrayEquals(expected, v2.apply(dim), 1e-6f);
        assertArrayEquals(v1.normalise(unit.clone()), v1.apply(dim), 1e-6f);
        // the pipeline gives window() then normalise()'s values on a busy image too
        var rnd = new java.util.Random(11);
        Preprocessor v2big = new Preprocessor(64, 0.5922f, 0.2912f, Preprocessor.PERCENTILE_WINDOW);
        BufferedImage busy = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                busy.getRaster().setSample(x, y, 0, rnd.nextInt(256));
            }
        }
        float[] busyUnit = v2big.toUnitGrey(busy);
        assertArrayEquals(v2big.normalise(Preprocessor.window(busyUnit.clone())), v2big.apply(busy), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> new Preprocessor(8, 0.5f, 0.25f, "histogram"));
    }

    /** The direct byte-array path gives exactly the values of the per-pixel definition, sub-images included. */
    @Test
    void greyFromTheRastersBytesEqualsThePerPixelDefinition() {
        var rnd = new java.util.Random(7);
        for (int type : new int[]{BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_3BYTE_BGR}) {
            BufferedImage img = new BufferedImage(97, 61, type);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    int v = rnd.nextInt(256);
                    img.setRGB(x, y, rnd.nextInt(3) == 0 ? (v << 16 | v << 8 | v) : rnd.nextInt(1 << 24));
                }
            }
            for (BufferedImage im : new BufferedImage[]{img, img.getSubimage(5, 3, 40, 30)}) {
                float[] got = Preprocessor.grey(im);
                for (int y = 0; y < im.getHeight(); y++) {
                    for (int x = 0; x < im.getWidth(); x++) {
                        float want;
                        if (type == BufferedImage.TYPE_BYTE_GRAY) {
                            want = (float) (im.getRaster().getSample(x, y, 0) / 255.0);
                        } else {
                            int p = im.getRGB(x, y);
                            int r = (p >> 16) & 0xFF, g = (p >> 8) & 0xFF, b = p & 0xFF;
                            want = ((r == g && g == b) ? r : (float) (0.299 * r + 0.587 * g + 0.114 * b)) / 255f;
                        }
                        assertEquals(want, got[y * im.getWidth() + x], 0f, "type " + type + " at " + x + "," + y);
                    }
                }
            }
        }
    }
}
