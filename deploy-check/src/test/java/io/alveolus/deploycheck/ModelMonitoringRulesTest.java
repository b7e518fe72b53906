package io.alveolus.deploycheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model-monitoring alerts of the PrometheusRule (docs/operations.md §6a): rendered with the thresholds from the
 * values, switched off by their own value, and naming only gauges results-service really exports.
 */
class ModelMonitoringRulesTest {
    static final Scenario RULES = Scenario.DEFAULT.with("metrics.prometheusRule.enabled", true);

    static Map<String, JsonNode> rules(Scenario s, String group) {
        ObjectNode rule = s.manifests().ofKind("PrometheusRule").get(0);
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode g : rule.path("spec").path("groups")) {
            if (group.equals(g.path("name").asText())) {
                g.path("rules").forEach(r -> out.put(r.path("alert").asText(), r));
            }
        }
        return out;
    }

    @Test
    void driftAgreementAndGateAlertsCarryTheConfiguredThresholds() {
        Map<String, JsonNode> r = rules(RULES, "alveolus-model-monitoring");
        assertEquals(Set.of("AlveolusInputDrift", "AlveolusScoreDrift", "AlveolusRadiologistAgreementLow",
                "AlveolusGateRejectionSpike"), r.keySet());
        assertEquals("max by (tenant, model_version) (alveolus_monitoring_intensity_psi) > 0.25",
                r.get("AlveolusInputDrift").path("expr").asText());
        assertEquals("30m", r.get("AlveolusInputDrift").path("for").asText());
        String agreement = r.get("AlveolusRadiologistAgreementLow").path("expr").asText();
        assertTrue(agreement.contains("(alveolus_monitoring_radiologist_agreement_lower) < 0.8")
                && agreement.contains("(alveolus_monitoring_radiologist_reviewed) >= 30"), agreement);
        String gate = r.get("AlveolusGateRejectionSpike").path("expr").asText();
        assertTrue(gate.contains("> 0.2") && gate.contains("> 2 * max by (tenant, model_version)"
                + " (alveolus_monitoring_gate_rejection_reference)") && gate.contains(">= 50"), gate);
        assertTrue(r.get("AlveolusInputDrift").path("annotations").path("description").asText()
                .contains("{{ $labels.tenant }}"), "Prometheus's own template survives Helm's");
        assertTrue(r.get("AlveolusInputDrift").path("annotations").path("description").asText()
                .contains("PSI {{ $value | printf \"%.2f\" }}"), "and its quotes YAML's");

        Map<String, JsonNode> stricter = rules(RULES.with("metrics.prometheusRule.modelMonitoring.psi", 0.1),
                "alveolus-model-monitoring");
        assertTrue(stricter.get("AlveolusScoreDrift").path("expr").asText().endsWith("> 0.1"));
    }

    @Test
    void theirOwnValueSwitchesThemOffAndLeavesTheOtherAlerts() {
        Scenario off = RULES.with("metrics.prometheusRule.modelMonitoring.enabled", false);
        assertTrue(rules(off, "alveolus-model-monitoring").isEmpty());
        assertFalse(rules(off, "alveolus-worker").isEmpty());
        assertTrue(Scenario.DEFAULT.manifests().ofKind("PrometheusRule").isEmpty(), "no rule unless asked for");
    }

    @Test
    void everyMonitoringSeriesTheRulesReadIsAGaugeResultsServiceExports() throws IOException {
        Path gauges = Scenario.RENDERER.repoRoot()
                .resolve("results-service/src/main/java/io/alveolus/results/monitoring/MonitoringGauges.java");
        Set<String> exported = new TreeSet<>();
        Matcher g = Pattern.compile("\"(alveolus\\.monitoring\\.[a-z.]+)\"").matcher(Files.readString(gauges));
        while (g.find()) {
            exported.add(g.group(1).replace('.', '_'));
        }
        assertFalse(exported.isEmpty());
        Set<String> read = new TreeSet<>();
        for (JsonNode rule : rules(RULES, "alveolus-model-monitoring").values()) {
            Matcher m = Pattern.compile("alveolus_monitoring_[a-z_]+").matcher(rule.path("expr").asText());
            while (m.find()) {
                read.add(m.group());
            }
        }
        read.removeAll(exported);
        assertEquals(Set.of(), read, "series the rules read that nothing exports");
    }
}
