package io.alveolus.portal.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.qute.TemplateData;

import java.util.Locale;

/** What the study page says about the model: version, validated metrics and data attribution. */
@TemplateData
public record ModelInfo(String version, String threshold, String split, String positives, String negatives,
                        String auroc, String sensitivity, String specificity, String attribution, String licence) {

    public static ModelInfo of(JsonNode m) {
        if (m == null) {
            return null;
        }
        JsonNode x = m.path("metrics");
        JsonNode d = m.path("trainingData");
        return new ModelInfo(m.path("version").asText(""), num(m.path("threshold")), x.path("split").asText(""),
                x.path("positives").asText(""), x.path("negatives").asText(""),
                withCi(x.path("auroc"), x.path("aurocCi95"), false),
                withCi(x.path("sensitivity"), x.path("sensitivityCi95"), true),
                withCi(x.path("specificity"), x.path("specificityCi95"), true),
                d.path("attribution").asText(""), d.path("licence").asText(""));
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
