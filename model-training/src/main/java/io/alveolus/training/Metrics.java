package io.alveolus.training;

import java.util.Arrays;
import java.util.Random;

/** Binary classification metrics. Labels: 1 = pneumonia (positive), 0 = normal. */
public final class Metrics {

    private Metrics() {
    }

    /**
     * AUROC as the Mann–Whitney U statistic with average ranks for ties:
     * P(score_pos > score_neg) + 0.5 P(score_pos == score_neg). NaN if a class is missing.
     */
    public static double auroc(double[] scores, int[] labels) {
        int n = scores.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(scores[a], scores[b]));
        double[] ranks = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[idx[j + 1]] == scores[idx[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1.0; // ranks are 1-based
            for (int k = i; k <= j; k++) {
                ranks[idx[k]] = avg;
            }
            i = j + 1;
        }
        long nPos = 0;
        double rankSum = 0;
        for (int k = 0; k < n; k++) {
            if (labels[k] == 1) {
                nPos++;
                rankSum += ranks[k];
            }
        }
        long nNeg = n - nPos;
        if (nPos == 0 || nNeg == 0) {
            return Double.NaN;
        }
        return (rankSum - nPos * (nPos + 1) / 2.0) / ((double) nPos * nNeg);
    }

    /** Percentile bootstrap 95% CI of the AUROC (resampling images with replacement). */
    public static double[] aurocBootstrapCi(double[] scores, int[] labels, int resamples, long seed) {
        Random rnd = new Random(seed);
        int n = scores.length;
        double[] vals = new double[resamples];
        int m = 0;
        double[] s = new double[n];
        int[] l = new int[n];
        for (int r = 0; r < resamples; r++) {
            for (int i = 0; i < n; i++) {
                int k = rnd.nextInt(n);
                s[i] = scores[k];
                l[i] = labels[k];
            }
            double a = auroc(s, l);
            if (!Double.isNaN(a)) {
                vals[m++] = a;
            }
        }
        if (m == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double[] v = Arrays.copyOf(vals, m);
        Arrays.sort(v);
        return new double[] {percentile(v, 2.5), percentile(v, 97.5)};
    }

    /**
     * Paired cluster bootstrap of AUROC(b) - AUROC(a) over the same images: patients ({@code clusters}) are drawn
     * with replacement and bring all their images, so both models are scored on the same resample and a patient's
     * images move together. Returns {delta, lower, upper} (percentile 95 % interval); resamples with one class only
     * are skipped.
     */
    public static double[] pairedAurocDelta(double[] a, double[] b, int[] labels, String[] clusters, int resamples,
                                            long seed) {
        java.util.Map<String, java.util.List<Integer>> byCluster = new java.util.LinkedHashMap<>();
        for (int i = 0; i < labels.length; i++) {
            byCluster.computeIfAbsent(clusters[i], k -> new java.util.ArrayList<>()).add(i);
        }
        java.util.List<java.util.List<Integer>> groups = new java.util.ArrayList<>(byCluster.values());
        Random rnd = new Random(seed);
        double[] deltas = new double[resamples];
        int m = 0;
        for (int r = 0; r < resamples; r++) {
            java.util.List<Integer> idx = new java.util.ArrayList<>(labels.length + 16);
            for (int g = 0; g < groups.size(); g++) {
                idx.addAll(groups.get(rnd.nextInt(groups.size())));
            }
            double[] sa = new double[idx.size()];
            double[] sb = new double[idx.size()];
            int[] l = new int[idx.size()];
            for (int k = 0; k < idx.size(); k++) {
                sa[k] = a[idx.get(k)];
                sb[k] = b[idx.get(k)];
                l[k] = labels[idx.get(k)];
            }
            double d = auroc(sb, l) - auroc(sa, l);
            if (!Double.isNaN(d)) {
                deltas[m++] = d;
            }
        }
        double[] sorted = Arrays.copyOf(deltas, m);
        Arrays.sort(sorted);
        return new double[] {auroc(b, labels) - auroc(a, labels), percentile(sorted, 2.5),
                percentile(sorted, 97.5)};
    }

    /** Linear-interpolated percentile of sorted values, p in [0,100]. */
    static double percentile(double[] sorted, double p) {
        double pos = p / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    /** Confusion matrix at {@code score >= threshold} = positive. */
    public record Confusion(int tp, int fn, int tn, int fp) {
        public double sensitivity() {
            return tp + fn == 0 ? Double.NaN : (double) tp / (tp + fn);
        }

        public double specificity() {
            return tn + fp == 0 ? Double.NaN : (double) tn / (tn + fp);
        }

        public double[] sensitivityCi() {
            return wilson(tp, tp + fn);
        }

        public double[] specificityCi() {
            return wilson(tn, tn + fp);
        }
    }

    public static Confusion confusion(double[] scores, int[] labels, double threshold) {
        int tp = 0;
        int fn = 0;
        int tn = 0;
        int fp = 0;
        for (int i = 0; i < scores.length; i++) {
            boolean pred = scores[i] >= threshold;
            if (labels[i] == 1) {
                if (pred) {
                    tp++;
                } else {
                    fn++;
                }
            } else if (pred) {
                fp++;
            } else {
                tn++;
            }
        }
        return new Confusion(tp, fn, tn, fp);
    }

    /** Wilson score 95% interval for k successes out of n. */
    public static double[] wilson(int k, int n) {
        if (n == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double z = 1.959963984540054;
        double p = (double) k / n;
        double den = 1 + z * z / n;
        double centre = (p + z * z / (2.0 * n)) / den;
        double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / den;
        return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
    }

    /**
     * Expected calibration error with {@code bins} equal-width bins on [0,1]:
     * sum over bins of (n_bin / N) * |mean(label) - mean(prob)|. Probability 1.0 goes to the last bin.
     */
    public static double ece(double[] probs, int[] labels, int bins) {
        double[] sumP = new double[bins];
        double[] sumY = new double[bins];
        int[] cnt = new int[bins];
        for (int i = 0; i < probs.length; i++) {
            int b = (int) Math.floor(probs[i] * bins);
            b = Math.min(bins - 1, Math.max(0, b));
            sumP[b] += probs[i];
            sumY[b] += labels[i];
            cnt[b]++;
        }
        double e = 0;
        for (int b = 0; b < bins; b++) {
            if (cnt[b] > 0) {
                e += (double) cnt[b] / probs.length * Math.abs(sumY[b] / cnt[b] - sumP[b] / cnt[b]);
            }
        }
        return e;
    }

    /**
     * Largest threshold t (one of the positive scores) with sensitivity(score >= t) >= target.
     */
    public static double thresholdForSensitivity(double[] scores, int[] labels, double target) {
        double[] pos = Arrays.stream(indicesOf(labels, 1)).mapToDouble(i -> scores[i]).sorted().toArray();
        if (pos.length == 0) {
            throw new IllegalArgumentException("no positives");
        }
        int allowedMisses = (int) Math.floor((1.0 - target) * pos.length + 1e-9);
        double t = pos[Math.min(allowedMisses, pos.length - 1)];
        // guard against ties pushing sensitivity below target: step down while needed
        int k = Math.min(allowedMisses, pos.length - 1);
        while (k > 0 && confusion(scores, labels, t).sensitivity() < target) {
            t = pos[--k];
        }
        return t;
    }

    static int[] indicesOf(int[] labels, int v) {
        return java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] == v).toArray();
    }
}
