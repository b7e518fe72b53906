package io.alveolus.training;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class AugmentTest {

    @Test
    void identityParametersReturnInput() {
        int s = 32;
        float[] src = new float[s * s];
        Random r = new Random(1);
        for (int i = 0; i < src.length; i++) {
            src[i] = r.nextFloat();
        }
        float[] dst = new float[s * s];
        new Augment(0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0).apply(src, s, new Random(2), dst);
        assertArrayEquals(src, dst, 1e-5f);
    }

    @Test
    void standardStaysInUnitRangeAndIsSeeded() {
        int s = 64;
        float[] src = new float[s * s];
        for (int i = 0; i < src.length; i++) {
            src[i] = (i % s) / (float) s;
        }
        float[] a = new float[s * s];
        float[] b = new float[s * s];
        Augment.standard().apply(src, s, new Random(7), a);
        Augment.standard().apply(src, s, new Random(7), b);
        assertArrayEquals(a, b);
        for (float v : a) {
            assertTrue(v >= 0 && v <= 1);
        }
    }

    @Test
    void blurIsTheMeanOverTheClampedWindow() {
        int s = 9;
        int r = 2;
        float[] img = new float[s * s];
        java.util.Random rnd = new java.util.Random(3);
        for (int i = 0; i < img.length; i++) {
            img[i] = rnd.nextFloat();
        }
        float[] blurred = img.clone();
        Augment.blur(blurred, s, r);
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                double sum = 0;
                int n = 0;
                for (int yy = Math.max(0, y - r); yy <= Math.min(s - 1, y + r); yy++) {
                    for (int xx = Math.max(0, x - r); xx <= Math.min(s - 1, x + r); xx++) {
                        sum += img[yy * s + xx];
                        n++;
                    }
                }
                assertEquals(sum / n, blurred[y * s + x], 1e-5, "at " + x + "," + y);
            }
        }
    }
}
