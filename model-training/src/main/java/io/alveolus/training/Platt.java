package io.alveolus.training;

/** Platt scaling: fits p = sigmoid(a * logit + b) by Newton's method on the log-loss (tiny L2 for stability). */
public final class Platt {

    private Platt() {
    }

    public static double[] fit(double[] logits, int[] labels) {
        double a = 1.0;
        double b = 0.0;
        double lambda = 1e-6;
        for (int it = 0; it < 100; it++) {
            double ga = lambda * a;
            double gb = 0;
            double haa = lambda;
            double hab = 0;
            double hbb = 1e-12;
            for (int i = 0; i < logits.length; i++) {
                double z = a * logits[i] + b;
                double p = 1.0 / (1.0 + Math.exp(-z));
                double r = p - labels[i];
                double w = p * (1 - p);
                ga += r * logits[i];
                gb += r;
                haa += w * logits[i] * logits[i];
                hab += w * logits[i];
                hbb += w;
            }
            double det = haa * hbb - hab * hab;
            if (Math.abs(det) < 1e-18) {
                break;
            }
            double da = (hbb * ga - hab * gb) / det;
            double db = (haa * gb - hab * ga) / det;
            // damped Newton: backtrack until the (convex) objective decreases
            double f0 = nll(logits, labels, a, b) + 0.5 * lambda * a * a / logits.length;
            double step = 1.0;
            double na = a - da;
            double nb = b - db;
            while (step > 1e-8 && nll(logits, labels, na, nb) + 0.5 * lambda * na * na / logits.length > f0) {
                step /= 2;
                na = a - step * da;
                nb = b - step * db;
            }
            if (step <= 1e-8) {
                break;
            }
            a = na;
            b = nb;
            if (Math.abs(step * da) < 1e-10 && Math.abs(step * db) < 1e-10) {
                break;
            }
        }
        return new double[] {a, b};
    }

    public static double nll(double[] logits, int[] labels, double a, double b) {
        double s = 0;
        for (int i = 0; i < logits.length; i++) {
            double z = a * logits[i] + b;
            // log(1 + e^-z) for y=1, log(1 + e^z) for y=0, stable
            double zz = labels[i] == 1 ? -z : z;
            s += Math.max(zz, 0) + Math.log1p(Math.exp(-Math.abs(zz)));
        }
        return s / logits.length;
    }
}
