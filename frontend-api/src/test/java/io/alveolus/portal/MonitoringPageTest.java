package io.alveolus.portal;

import io.alveolus.portal.web.Monitoring;
import io.quarkus.qute.Template;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's Monitoring page from results-service's monitoring figures (as its JSON reads back): the figures
 * worded per tenant, alerts marked past the thresholds, and inline SVG plots over time with gaps where a figure did
 * not exist yet.
 */
@QuarkusTest
class MonitoringPageTest {
    static final Monitoring.Thresholds THRESHOLDS = new Monitoring.Thresholds(0.25, 0.8, 0.2);

    @Inject
    Template monitoring;

    static Map<String, Object> figures(String tenant, Double psi, Double lower, Double gate) {
        Map<String, Object> f = new HashMap<>();
        f.put("tenant", tenant);
        f.put("modelVersion", "pneumonia-v3");
        f.put("at", "2026-12-03T14:00:00Z");
        f.put("referenceAnalyses", 200);
        f.put("referenceComplete", psi != null);
        f.put("recentAnalyses", 480);
        f.put("intensityPsi", psi);
        f.put("scorePsi", psi == null ? null : 0.03);
        f.put("reviewed", 30);
        f.put("agreement", lower == null ? null : 0.6);
        f.put("agreementLower", lower);
        f.put("agreementUpper", lower == null ? null : 0.75);
        f.put("shadowVersion", null);
        f.put("gateTotal", 250);
        f.put("gateRejectionRate", gate);
        f.put("referenceGateRejectionRate", 0.02);
        return f;
    }

    static List<Map<String, Object>> history(Double... psi) {
        List<Map<String, Object>> out = new ArrayList<>();
        Instant t = Instant.parse("2026-12-01T00:00:00Z");
        for (int i = 0; i < psi.length; i++) {
            Map<String, Object> p = new HashMap<>();
            p.put("at", t.plusSeconds(3600L * i).toString());
            p.put("intensityPsi", psi[i]);
            p.put("agreementLower", 0.9);
            out.add(p);
        }
        return out;
    }

    @Test
    void driftingTenantIsMarkedWithItsFiguresAndPlots() {
        var drifting = Monitoring.row(figures("st-marys", 0.61, 0.42, 0.05), history(null, null, 0.02, 0.3, 0.61),
                THRESHOLDS);
        var steady = Monitoring.row(figures("northside", 0.04, null, 0.25), history(0.03, 0.04), THRESHOLDS);
        var fresh = Monitoring.row(figures("new-clinic", null, null, null), List.of(), THRESHOLDS);
        assertTrue(drifting.driftAlert() && drifting.agreementAlert() && !drifting.gateAlert());
        assertFalse(steady.driftAlert() || steady.agreementAlert());
        assertTrue(steady.gateAlert(), "25 % NOT_APPLICABLE is above 20 %");
        assertEquals("60 % (95 % 42 %–75 %) of 30 reviewed", drifting.agreement());
        assertEquals("no reviews", steady.agreement());
        assertEquals("–", fresh.intensityPsi());
        assertTrue(fresh.reference().contains("reference incomplete"), fresh.reference());

        String html = monitoring.data("rows", List.of(drifting, steady, fresh)).data("thresholds", THRESHOLDS)
                .data("hours", 168).data("user", "olga").data("tenant", null).data("operator", true)
                .data("clinician", false).data("radiologist", false).render();
        assertTrue(html.contains("id=\"nav-monitoring\""), html);
        assertTrue(html.contains("PSI above\n0.25, agreement lower bound below 0.8, gate rejections above\n0.2)"), html);
        assertTrue(html.contains("<tr data-tenant=\"st-marys\" data-drift-alert=\"true\""), html);
        assertTrue(html.contains("<tr data-tenant=\"northside\" data-drift-alert=\"false\""), html);
        assertTrue(html.contains("data-figure=\"psi\">0.61</span> <strong class=\"flag-text\">alert</strong>"), html);
        assertTrue(html.contains("<svg class=\"plot\""), "the plot is inline markup, not escaped: " + html);
        assertFalse(html.contains("&lt;svg"), html);
        assertTrue(html.contains("no figures yet"), "a tenant without history gets an empty plot");
    }

    @Test
    void thePlotDrawsTheSeriesWithGapsAndTheThresholdLine() {
        var p = Monitoring.plot(List.of(
                new Monitoring.Point(Instant.parse("2026-12-01T00:00:00Z"), null),
                new Monitoring.Point(Instant.parse("2026-12-01T01:00:00Z"), 0.0),
                new Monitoring.Point(Instant.parse("2026-12-01T02:00:00Z"), 0.5),
                new Monitoring.Point(Instant.parse("2026-12-01T03:00:00Z"), null),
                new Monitoring.Point(Instant.parse("2026-12-01T04:00:00Z"), 0.25)), 0.5, 0.25, "t").getValue();
        // x spans the whole time range (0 h .. 4 h over 2..238), y runs from 0 (bottom, 46) to the top (2)
        assertTrue(p.contains("<polyline points=\"61.0,46.0 120.0,2.0\""), p);
        assertTrue(p.contains("<circle cx=\"238.0\" cy=\"24.0\""), "after the gap a lone point is a dot: " + p);
        assertTrue(p.contains("<line class=\"threshold\" x1=\"0\" x2=\"240\" y1=\"24.0\" y2=\"24.0\""), p);
        assertEquals(1, p.split("<polyline").length - 1, "one line per stretch without gaps");
    }
}
