package io.alveolus.training;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class MetricsTest {

    @Test
    void aurocPerfectReversedAndAllTied() {
        int[] y = {0, 0, 1, 1};
        assertEquals(1.0, Metrics.auroc(new double[] {0.1, 0.2, 0.8, 0.9}, y), 1e-12);
        assertEquals(0.0, Metrics.auroc(new double[] {0.9, 0.8, 0.2, 0.1}, y), 1e-12);
        assertEquals(0.5, Metrics.auroc(new double[] {0.5, 0.5, 0.5, 0.5}, y), 1e-12);
    }

    @Test
    void aurocHandComputed() {
        // pos {0.8, 0.4}, neg {0.6, 0.2}: 3 of 4 pairs ordered
        assertEquals(0.75, Metrics.auroc(new double[] {0.8, 0.6, 0.4, 0.2}, new int[] {1, 0, 1, 0}), 1e-12);
        // pos {0.5}, neg {0.5, 0.3}: tie counts one half -> (0.5 + 1) / 2
        assertEquals(0.75, Metrics.auroc(new double[] {0.5, 0.5, 0.3}, new int[] {1, 0, 0}), 1e-12);
        // one class only
        assertTrue(Double.isNaN(Metrics.auroc(new double[] {0.1, 0.2}, new int[] {1, 1})));
    }

    @Test
    void aurocMatchesPairCountingOnRandomData() {
        Random r = new Random(3);
        int n = 300;
        double[] s = new double[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(3) == 0 ? 0 : 1;
            s[i] = Math.round((r.nextGaussian() + y[i]) * 4) / 4.0; // many ties
        }
        double num = 0;
        long pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (y[i] == 1 && y[j] == 0) {
                    pairs++;
                    num += s[i] > s[j] ? 1 : (s[i] == s[j] ? 0.5 : 0);
                }
            }
        }
        assertEquals(num / pairs, Metrics.auroc(s, y), 1e-12);
    }

    @Test
    void bootstrapCiIsDeterministicAndBracketsEstimate() {
        Random r = new Random(5);
        int n = 200;
        double[] s = new double[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            s[i] = r.nextGaussian() + 1.5 * y[i];
        }
        double auc = Metrics.auroc(s, y);
        double[] ci = Metrics.aurocBootstrapCi(s, y, 500, 42);
        assertArrayEquals(ci, Metrics.aurocBootstrapCi(s, y, 500, 42));
        assertTrue(ci[0] < auc && auc < ci[1], "CI " + ci[0] + ".." + ci[1] + " around " + auc);
        assertTrue(ci[1] - ci[0] < 0.2);
    }

    @Test
    void confusionAndRates() {
        double[] p = {0.9, 0.6, 0.4, 0.2, 0.7, 0.1};
        int[] y = {1, 1, 1, 0, 0, 0};
        Metrics.Confusion c = Metrics.confusion(p, y, 0.5);
        assertEquals(new Metrics.Confusion(2, 1, 2, 1), c);
        assertEquals(2.0 / 3, c.sensitivity(), 1e-12);
        assertEquals(2.0 / 3, c.specificity(), 1e-12);
        // threshold is inclusive
        assertEquals(3, Metrics.confusion(p, y, 0.4).tp());
    }

    @Test
    void wilsonKnownValue() {
        double[] ci = Metrics.wilson(8, 10);
        assertEquals(0.4902, ci[0], 1e-4);
        assertEquals(0.9433, ci[1], 1e-4);
        assertArrayEquals(new double[] {1.0, 1.0}, new double[] {Metrics.wilson(10, 10)[1], 1.0}, 1e-12);
    }

    @Test
    void eceHandComputed() {
        assertEquals(0.1, Metrics.ece(new double[] {0.1, 0.1, 0.9, 0.9}, new int[] {0, 0, 1, 1}, 10), 1e-12);
        // perfectly calibrated bin: 4 at 0.5, half positive
        assertEquals(0.0, Metrics.ece(new double[] {0.5, 0.5, 0.5, 0.5}, new int[] {0, 1, 0, 1}, 10), 1e-12);
        // probability 1.0 lands in the last bin
        assertEquals(0.0, Metrics.ece(new double[] {1.0, 0.0}, new int[] {1, 0}, 10), 1e-12);
    }

    @Test
    void thresholdForSensitivity() {
        double[] p = new double[20];
        int[] y = new int[20];
        for (int i = 0; i < 20; i++) {
            p[i] = (i + 1) / 21.0;
            y[i] = 1;
        }
        double t = Metrics.thresholdForSensitivity(p, y, 0.95);
        assertEquals(p[1], t, 1e-12); // one miss allowed out of 20
        assertTrue(Metrics.confusion(p, y, t).sensitivity() >= 0.95);
    }

    @Test
    void plattRecoversKnownParameters() {
        Random r = new Random(11);
        int n = 20000;
        double[] z = new double[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            z[i] = r.nextGaussian() * 3;
            double p = 1 / (1 + Math.exp(-(0.5 * z[i] + 1.0)));
            y[i] = r.nextDouble() < p ? 1 : 0;
        }
        double[] ab = Platt.fit(z, y);
        assertEquals(0.5, ab[0], 0.05);
        assertEquals(1.0, ab[1], 0.1);
        assertTrue(Platt.nll(z, y, ab[0], ab[1]) <= Platt.nll(z, y, 1, 0));
    }

    @Test
    void plattIsStableOnBadlyScaledLogits() {
        double[] z = {-3, -3.5, -4, -2.5, -1, -3.2, -2.9, -4.4};
        int[] y = {1, 1, 1, 1, 0, 1, 1, 1};
        double[] ab = Platt.fit(z, y);
        assertTrue(Double.isFinite(ab[0]) && Double.isFinite(ab[1]));
        assertTrue(Platt.nll(z, y, ab[0], ab[1]) <= Platt.nll(z, y, 1, 0) + 1e-12);
    }

    @Test
    void pairedAurocDeltaIsZeroForTheSameScoresAndNegativeForReversedOnes() {
        Random rnd = new Random(7);
        int n = 200;
        double[] a = new double[n];
        int[] y = new int[n];
        String[] patients = new String[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            a[i] = y[i] + rnd.nextGaussian();
            patients[i] = "p" + (i / 2); // two images per patient, moved together
        }
        double[] same = Metrics.pairedAurocDelta(a, a.clone(), y, patients, 300, 1);
        assertArrayEquals(new double[] {0, 0, 0}, same, 1e-12);
        double[] reversed = new double[n];
        for (int i = 0; i < n; i++) {
            reversed[i] = -a[i];
        }
        double[] d = Metrics.pairedAurocDelta(a, reversed, y, patients, 300, 1);
        assertTrue(d[0] < -0.4 && d[2] < -0.3 && d[1] <= d[0] && d[0] <= d[2], java.util.Arrays.toString(d));
    }
}
