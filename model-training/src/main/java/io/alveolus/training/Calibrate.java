package io.alveolus.training;

import io.alveolus.model.ModelManifest;

import java.util.ArrayList;
import java.util.List;

/** Platt calibration on validation logits, threshold for sensitivity >= 0.95, validation metrics. */
final class Calibrate {

    static final double TARGET_SENSITIVITY = 0.95;
    /** The validated range spans the thresholds giving validation sensitivity 0.98 down to 0.90. */
    static final double RANGE_HIGH_SENS = 0.98;
    static final double RANGE_LOW_SENS = 0.90;

    private Calibrate() {
    }

    static ModelManifest finish(ModelManifest provisional, double[] logits, int[] labels) {
        System.out.printf("[calibration] raw-logit validation AUROC %.4f on %d images%n",
                Metrics.auroc(logits, labels), logits.length);
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
        List<ModelManifest.OperatingPoint> ops = new ArrayList<>();
        for (double th : new double[] {tMin, t, tMax, 0.5}) {
            Metrics.Confusion c = Metrics.confusion(p, labels, th);
            ops.add(new ModelManifest.OperatingPoint(th, c.sensitivity(), c.specificity()));
        }
        Metrics.Confusion c = Metrics.confusion(p, labels, t);
        double auc = Metrics.auroc(p, labels);
        double[] ci = Metrics.aurocBootstrapCi(p, labels, 1000, 42);
        int pos = c.tp() + c.fn();
        ModelManifest.Metrics m = new ModelManifest.Metrics("validation (patient-disjoint)", pos,
                labels.length - pos, auc, ci, c.sensitivity(), c.sensitivityCi(), c.specificity(),
                c.specificityCi(), Metrics.ece(p, labels, 10), ops);
        System.out.printf("[calibration] platt a=%.4f b=%.4f (nll %.4f -> %.4f); threshold %.6f for sens >= %.2f:"
                        + " sens %.4f spec %.4f; AUROC %.4f [%.4f, %.4f]; ECE %.4f; validated range [%.6f, %.6f]%n",
                ab[0], ab[1], Platt.nll(logits, labels, 1, 0), Platt.nll(logits, labels, ab[0], ab[1]), t,
                TARGET_SENSITIVITY, c.sensitivity(), c.specificity(), auc, ci[0], ci[1], m.ece(), tMin, tMax);
        return provisional.withCalibration(cal, t, new double[] {tMin, tMax}, m);
    }

    static double round6(double v) {
        return Math.floor(v * 1e6) / 1e6;
    }
}
