package io.alveolus.portal.web;

import io.quarkus.qute.RawString;
import io.quarkus.qute.TemplateData;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The operator's Monitoring page, from results-service's {@code GET /api/admin/monitoring} and each tenant's
 * {@code /history}: per tenant its current figures as text, and small server-rendered SVG plots over time. Aggregates
 * only; the page never sees an analysis.
 */
public final class Monitoring {
    private Monitoring() {
    }

    /** One tenant's line of the page; text already worded, plots already drawn. */
    @TemplateData
    public record TenantRow(String tenant, String modelVersion, String at, String reference, String intensityPsi,
                            String scorePsi, boolean driftAlert, String agreement, boolean agreementAlert,
                            String shadow, String gate, boolean gateAlert, RawString psiPlot,
                            RawString agreementPlot) {
    }

    /** The thresholds results-service reports ({@code alveolus.monitoring.alert.*}). */
    @TemplateData
    public record Thresholds(double psi, double agreementLower, double gateRejectionRate) {
        static Thresholds of(Object o) {
            Map<?, ?> m = o instanceof Map<?, ?> map ? map : Map.of();
            return new Thresholds(num(m.get("psi"), 0.25), num(m.get("agreementLower"), 0.8),
                    num(m.get("gateRejectionRate"), 0.2));
        }
    }

    /** A tenant's row from its latest figures and its history points (oldest first). */
    public static TenantRow row(Map<String, Object> f, List<Map<String, Object>> history, Thresholds t) {
        Double ipsi = dbl(f.get("intensityPsi"));
        Double spsi = dbl(f.get("scorePsi"));
        boolean complete = Boolean.TRUE.equals(f.get("referenceComplete"));
        String reference = complete ? "complete (" + integer(f.get("referenceAnalyses")) + "), "
                + integer(f.get("recentAnalyses")) + " recent"
                : integer(f.get("referenceAnalyses")) + " analysed, reference incomplete: no drift figure yet";
        Double agreement = dbl(f.get("agreement"));
        Double lower = dbl(f.get("agreementLower"));
        Double upper = dbl(f.get("agreementUpper"));
        String agreementText = agreement == null ? "no reviews"
                : pct(agreement) + " (95 % " + pct(lower) + "–" + pct(upper) + ") of " + integer(f.get("reviewed"))
                + " reviewed";
        Double shadow = dbl(f.get("shadowAgreement"));
        String shadowText = f.get("shadowVersion") == null ? "no shadow"
                : shadow == null ? f.get("shadowVersion") + ": no readings yet"
                : pct(shadow) + " of " + integer(f.get("shadowCompared")) + " (" + f.get("shadowVersion") + ")";
        Double gate = dbl(f.get("gateRejectionRate"));
        Double gateRef = dbl(f.get("referenceGateRejectionRate"));
        String gateText = gate == null ? "no analyses" : pct(gate) + " of " + integer(f.get("gateTotal"))
                + (gateRef == null ? "" : " (reference " + pct(gateRef) + ")");
        List<Point> psi = new ArrayList<>();
        List<Point> agree = new ArrayList<>();
        for (Map<String, Object> p : history) {
            Instant at = Instant.parse(String.valueOf(p.get("at")));
            psi.add(new Point(at, dbl(p.get("intensityPsi"))));
            agree.add(new Point(at, dbl(p.get("agreementLower"))));
        }
        double psiTop = Math.max(t.psi() * 2, psi.stream().filter(x -> x.value() != null)
                .mapToDouble(Point::value).max().orElse(0));
        return new TenantRow(String.valueOf(f.get("tenant")), String.valueOf(f.get("modelVersion")),
                String.valueOf(f.get("at")), reference, ipsi == null ? "–" : fixed(ipsi),
                spsi == null ? "–" : fixed(spsi), (ipsi != null && ipsi > t.psi()) || (spsi != null && spsi > t.psi()),
                agreementText, lower != null && lower < t.agreementLower(), shadowText, gateText,
                gate != null && gate > t.gateRejectionRate(),
                plot(psi, psiTop, t.psi(), "input drift (PSI of the raw mean intensity) over time"),
                plot(agree, 1.0, t.agreementLower(), "agreement with radiologists, 95 % lower bound, over time"));
    }

    /** A value at a time; null: not computable then (a gap in the line). */
    public record Point(Instant at, Double value) {
    }

    static final int WIDTH = 240;
    static final int HEIGHT = 48;

    /**
     * A small line plot: the values over time from 0 to {@code top}, a dashed line at the threshold, gaps where a
     * value is null. Numbers only go into it (and a fixed title), so the markup is safe to inline.
     */
    public static RawString plot(List<Point> points, double top, double threshold, String title) {
        StringBuilder svg = new StringBuilder();
        svg.append("<svg class=\"plot\" role=\"img\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" xmlns=\"http://www.w3.org/2000/svg\"><title>").append(title).append("</title>")
                .append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" fill=\"#fff\" stroke=\"#c8ced3\"/>");
        double scale = top <= 0 ? 1 : top;
        svg.append("<line class=\"threshold\" x1=\"0\" x2=\"").append(WIDTH).append("\" y1=\"")
                .append(fmt(y(threshold, scale))).append("\" y2=\"").append(fmt(y(threshold, scale)))
                .append("\" stroke=\"#b3261e\" stroke-dasharray=\"4 3\"/>");
        List<Point> known = points.stream().filter(p -> p.value() != null).toList();
        if (points.size() >= 1 && !known.isEmpty()) {
            long t0 = points.get(0).at().toEpochMilli();
            long span = Math.max(1, points.get(points.size() - 1).at().toEpochMilli() - t0);
            StringBuilder line = new StringBuilder();
            for (Point p : points) {
                if (p.value() == null) {
                    flush(svg, line);
                    continue;
                }
                double x = points.size() == 1 ? WIDTH / 2.0 : (p.at().toEpochMilli() - t0) * (WIDTH - 4.0) / span + 2;
                line.append(line.isEmpty() ? "" : " ").append(fmt(x)).append(',').append(fmt(y(p.value(), scale)));
            }
            flush(svg, line);
        } else {
            svg.append("<text x=\"6\" y=\"").append(HEIGHT / 2 + 4).append("\" font-size=\"11\" fill=\"#5f6b76\">")
                    .append("no figures yet</text>");
        }
        return new RawString(svg.append("</svg>").toString());
    }

    private static void flush(StringBuilder svg, StringBuilder line) {
        if (line.isEmpty()) {
            return;
        }
        String pts = line.toString();
        if (!pts.contains(" ")) { // a lone point: a dot, so it shows
            String[] xy = pts.split(",");
            svg.append("<circle cx=\"").append(xy[0]).append("\" cy=\"").append(xy[1])
                    .append("\" r=\"2\" fill=\"#1f5fa8\"/>");
        } else {
            svg.append("<polyline points=\"").append(pts).append("\" fill=\"none\" stroke=\"#1f5fa8\""
                    + " stroke-width=\"1.5\"/>");
        }
        line.setLength(0);
    }

    private static double y(double v, double top) {
        double clamped = Math.max(0, Math.min(top, v));
        return HEIGHT - 2 - clamped * (HEIGHT - 4) / top;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String pct(Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%.0f %%", v * 100);
    }

    static String fixed(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String integer(Object o) {
        return o instanceof Number n ? String.valueOf(n.longValue()) : "0";
    }

    static Double dbl(Object o) {
        return o instanceof Number n ? n.doubleValue() : null;
    }

    private static double num(Object o, double fallback) {
        return o instanceof Number n ? n.doubleValue() : fallback;
    }
}
