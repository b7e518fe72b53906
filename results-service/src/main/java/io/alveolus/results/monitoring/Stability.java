package io.alveolus.results.monitoring;

import java.util.Arrays;

/**
 * The two statistics of the monitor, as plain functions: the population stability index of a sample against a
 * reference, and the Wilson score interval of a proportion.
 */
public final class Stability {
    /** Bins of the PSI, fixed from the reference's deciles. */
    public static final int BINS = 10;
    /**
     * The share an empty bin counts as, so that a bin the reference or the recent sample never fills adds a large but
     * finite term instead of an infinite one (the usual PSI convention).
     */
    static final double EMPTY_BIN = 1e-4;
    /** z of a two-sided 95 % interval. */
    static final double Z95 = 1.959963984540054;

    private Stability() {
    }

    /**
     * The inner bin edges: the reference's 10th..90th percentiles (nearest rank). Equal edges (a reference with ties)
     * merge their bins; the outer bins are open, so any value falls in one.
     */
    public static double[] edges(double[] reference) {
        double[] sorted = reference.clone();
        Arrays.sort(sorted);
        double[] edges = new double[BINS - 1];
        for (int k = 1; k < BINS; k++) {
            int rank = (int) Math.ceil(k * sorted.length / (double) BINS) - 1;
            edges[k - 1] = sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
        }
        return Arrays.stream(edges).distinct().toArray();
    }

    /** The bin of a value: the number of edges below or at it ({@code (e_{i-1}, e_i]}, open at both ends). */
    static int bin(double[] edges, double v) {
        int lo = 0;
        int hi = edges.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (edges[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    static double[] shares(double[] edges, double[] values) {
        double[] share = new double[edges.length + 1];
        for (double v : values) {
            share[bin(edges, v)]++;
        }
        for (int i = 0; i < share.length; i++) {
            share[i] = Math.max(EMPTY_BIN, share[i] / values.length);
        }
        return share;
    }

    /**
     * PSI = sum over bins of (recent - reference) * ln(recent / reference), with the bins of {@link #edges}: 0 for the
     * same distribution (plus sampling noise of roughly (bins - 1) * (1/n_ref + 1/n_recent)); by the usual rule of
     * thumb below 0.1 stable, 0.1-0.25 moderate, above 0.25 a shift worth acting on.
     *
     * @return NaN when either sample is empty
     */
    public static double psi(double[] reference, double[] recent) {
        if (reference.length == 0 || recent.length == 0) {
            return Double.NaN;
        }
        double[] edges = edges(reference);
        double[] ref = shares(edges, reference);
        double[] now = shares(edges, recent);
        double psi = 0;
        for (int i = 0; i < ref.length; i++) {
            psi += (now[i] - ref[i]) * Math.log(now[i] / ref[i]);
        }
        return psi;
    }

    /** A proportion with its Wilson score 95 % interval (sound at small n and near 0 or 1, unlike p ± 1.96 se). */
    public record Proportion(long successes, long n, double estimate, double lower, double upper) {
    }

    /** @return null when n is 0 (no estimate) */
    public static Proportion wilson(long successes, long n) {
        if (n <= 0) {
            return null;
        }
        double p = (double) successes / n;
        double z2 = Z95 * Z95;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / (1 + z2 / n);
        return new Proportion(successes, n, p, Math.max(0, centre - half), Math.min(1, centre + half));
    }
}
