package io.alveolus.portal.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.qute.TemplateData;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the study page says about the model: version, intended use, and per population the figures measured on
 * the locked internal test split (with confidence intervals), each naming the data it was measured on.
 * A manifest without internal-test figures (pneumonia-v1) is shown with its split named as validation.
 */
@TemplateData
public record ModelInfo(String version, String intendedUse, List<PopulationFigures> populations,
                        List<String> notValidated, List<String> attributions, boolean heldOutTest) {

    /** One population's operating point and the figures measured for it. */
    @TemplateData
    public record PopulationFigures(String name, String description, String threshold, String split,
                                    String positives, String negatives, String auroc, String sensitivity,
                                    String specificity, String ece, String refused) {
    }

    public static ModelInfo of(JsonNode m) {
        if (m == null) {
            return null;
        }
        List<PopulationFigures> pops = new ArrayList<>();
        boolean heldOut = true;
        JsonNode ps = m.path("populations");
        if (ps.isObject() && ps.size() > 0) {
            var it = ps.fields();
            while (it.hasNext()) {
                var e = it.next();
                JsonNode p = e.getValue();
                JsonNode x = p.path("internalTest");
                if (x.isMissingNode()) {
                    heldOut = false;
                    x = p.path("validation");
                }
                pops.add(figures(e.getKey(), p.path("description").asText(""), p.path("threshold"), x));
            }
        } else {
            heldOut = false; // v1: validation-split figures only
            pops.add(figures("all ages", "", m.path("threshold"), m.path("metrics")));
        }
        List<String> notValidated = new ArrayList<>();
        m.path("intendedUse").path("notValidated").forEach(n -> notValidated.add(n.asText()));
        List<String> attributions = new ArrayList<>();
        JsonNode sources = m.path("trainingSources");
        if (sources.isArray() && sources.size() > 0) {
            sources.forEach(s -> attributions.add(s.path("attribution").asText("") + " (" + s.path("licence").asText("")
                    + ")"));
        } else if (!m.path("trainingData").isMissingNode()) {
            attributions.add(m.path("trainingData").path("attribution").asText("") + " ("
                    + m.path("trainingData").path("licence").asText("") + ")");
        }
        return new ModelInfo(m.path("version").asText(""), m.path("intendedUse").path("summary").asText(""), pops,
                notValidated, attributions, heldOut);
    }

    private static PopulationFigures figures(String name, String description, JsonNode threshold, JsonNode x) {
        return new PopulationFigures(name, description, num(threshold), x.path("split").asText(""),
                x.path("positives").asText(""), x.path("negatives").asText(""),
                withCi(x.path("auroc"), x.path("aurocCi95"), false),
                withCi(x.path("sensitivity"), x.path("sensitivityCi95"), true),
                withCi(x.path("specificity"), x.path("specificityCi95"), true),
                num(x.path("ece")), x.path("refusedByGate").isNumber() ? x.path("refusedByGate").asText() : "");
    }

    private static String num(JsonNode n) {
        return n.isNumber() ? String.format(Locale.ROOT, "%.3f", n.asDouble()) : "";
    }

    private static String withCi(JsonNode v, JsonNode ci, boolean percent) {
        if (!v.isNumber()) {
            return "not reported";
        }
        String fmt = percent ? "%.1f%%" : "%.3f";
        double k = percent ? 100 : 1;
        String s = String.format(Locale.ROOT, fmt, v.asDouble() * k);
        if (ci.isArray() && ci.size() == 2) {
            s += String.format(Locale.ROOT, " (95%% CI " + fmt + " to " + fmt + ")", ci.get(0).asDouble() * k,
                    ci.get(1).asDouble() * k);
        }
        return s;
    }
}
