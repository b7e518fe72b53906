package io.alveolus.training;

import io.alveolus.model.ModelManifest;

import java.util.ArrayList;
import java.util.List;

/**
 * One population's operating point from its validation split: Platt calibration, the threshold for
 * sensitivity >= 0.95, the validated override range, and the metrics at that threshold.
 */
final class Calibrate {

    static final double TARGET_SENSITIVITY = 0.95;
    /** The validated range spans the thresholds giving validation sensitivity 0.98 down to 0.90. */
    static final double RANGE_HIGH_SENS = 0.98;
    static final double RANGE_LOW_SENS = 0.90;

    private Calibrate() {
    }

    static ModelManifest.Population population(String description, int minAge, int maxAge, double[] logits,
                                               int[] labels, int refused) {
        double[] ab = Platt.fit(logits, labels);
        ModelManifest.Calibration cal = new ModelManifest.Calibration("platt", ab[0], ab[1]);
        double[] p = new double[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = cal.apply(logits[i]);
        }
        double t = round6(Metrics.thresholdForSensitivity(p, labels, TARGET_SENSITIVITY));
        double tMin = round6(Metrics.thresholdForSensitivity(p, labels, RANGE_HIGH_SENS));
        double tMax = round6(Metrics.thresholdForSensitivity(p, labels, RANGE_LOW_SENS));
        // rounding must not lose the target: the rounded threshold may only move down
        while (Metrics.confusion(p, labels, t).sensitivity() < TARGET_SENSITIVITY) {
            t -= 1e-6;
        }
        ModelManifest.Metrics m = metrics("validation (patient-disjoint; calibration and threshold chosen here)", p,
                labels, t, List.of(tMin, t, tMax, 0.5), refused);
        System.out.printf("[calibration] %s: platt a=%.4f b=%.4f (nll %.4f -> %.4f); threshold %.6f: sens %.4f"
                        + " spec %.4f; AUROC %.4f; ECE %.4f; validated range [%.6f, %.6f]%n", description, ab[0],
                ab[1], Platt.nll(logits, labels, 1, 0), Platt.nll(logits, labels, ab[0], ab[1]), t, m.sensitivity(),
                m.specificity(), m.auroc(), m.ece(), tMin, tMax);
        return new ModelManifest.Population(description, minAge, maxAge, cal, t, new double[] {tMin, tMax}, m, null);
    }

    /** Metrics of calibrated probabilities at threshold t (with operating points at {@code ops}). */
    static ModelManifest.Metrics metrics(String split, double[] p, int[] labels, double t, List<Double> ops,
                                         int refused) {
        List<ModelManifest.OperatingPoint> points = new ArrayList<>();
        for (double th : ops) {
            Metrics.Confusion c = Metrics.confusion(p, labels, th);
            points.add(new ModelManifest.OperatingPoint(th, c.sensitivity(), c.specificity()));
        }
        Metrics.Confusion c = Metrics.confusion(p, labels, t);
        int pos = c.tp() + c.fn();
        return new ModelManifest.Metrics(split, pos, labels.length - pos, Metrics.auroc(p, labels),
                Metrics.aurocBootstrapCi(p, labels, 1000, 42), c.sensitivity(), c.sensitivityCi(), c.specificity(),
                c.specificityCi(), Metrics.ece(p, labels, 10), points, refused);
    }

    static double round6(double v) {
        return Math.floor(v * 1e6) / 1e6;
    }
}
