package io.alveolus.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.alveolus.model.ModelManifest;
import io.alveolus.model.PneumoniaModel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@code evaluate}: per population, images refused by the applicability gate (not scored, counted apart),
 * AUROC with a bootstrap CI, sensitivity/specificity at the population's threshold, confusion, ECE, and AUROC
 * per source, view, sex and age band. {@code --applicability DIR} runs only the gate.
 */
final class EvaluateCommand {

    private EvaluateCommand() {
    }

    static void run(Args a) throws Exception {
        String split = a.get("split", null);
        String population = a.get("population", null);
        if (population != null && !Set.of(Cohort.PAEDIATRIC, Cohort.ADULT).contains(population)) {
            throw new IllegalArgumentException("--population must be paediatric or adult");
        }
        int batch = a.getInt("batch", 16);
        int resamples = a.getInt("bootstrap", 1000);
        long seed = a.getLong("seed", 42);
        String modelArg = a.get("model", null);
        Map<String, Object> report = new LinkedHashMap<>();
        try (PneumoniaModel model = modelArg == null ? PneumoniaModel.loadShipped(a.get("version",
                PneumoniaModel.DEFAULT_VERSION)) : PneumoniaModel.load(Path.of(modelArg))) {
            ModelManifest m = model.manifest();
            String gateDir = a.get("applicability", null);
            if (gateDir != null) {
                System.out.printf("Model: %s; applicability gate only, over %s%n", m.version(), gateDir);
                report.put("model", m.version());
                report.put("refusedByCategory", GateCheck.rejectionByCategory(model, Path.of(gateDir)));
                writeReport(a, report);
                return;
            }
            Map<String, Path> roots;
            List<Cohort.Item> items;
            String splitSha = null;
            if (split != null) {
                if (!Set.of(Cohort.VALIDATION, Cohort.TEST, Cohort.TRAIN).contains(split)) {
                    throw new IllegalArgumentException("--split must be validation, test (or train)");
                }
                roots = new LinkedHashMap<>();
                if (a.get("data", null) != null) { // v1 usage: --data names the Kermany folder
                    roots.put(Cohort.KERMANY, Path.of(a.get("data", null)).toAbsolutePath().normalize());
                    roots.put(Cohort.NIH, Main.sourceRoots(a).get(Cohort.NIH));
                } else {
                    roots.putAll(Main.sourceRoots(a));
                }
                Cohort.Split s = Cohort.parse(readSplit(a.get("split-file", null), m.version()), roots);
                items = s.part(split);
                String source = a.get("source", null);
                if (source != null) {
                    items = items.stream().filter(i -> i.source().equals(source)).toList();
                }
                splitSha = s.sha256();
                if (m.trainingData() != null && !splitSha.equals(m.trainingData().splitSha256())) {
                    System.out.println("WARNING: split sha256 " + splitSha + " differs from the model's "
                            + m.trainingData().splitSha256());
                }
            } else {
                Path data = Path.of(a.require("data")).toAbsolutePath().normalize();
                roots = Map.of("folder", data);
                items = new ArrayList<>();
                for (DataIndex.Sample s : DataIndex.list(data)) {
                    items.add(new Cohort.Item("folder", s.rel(), s.label(), s.patient(), -1, "", ""));
                }
                if (population == null) {
                    population = m.defaultPopulation();
                }
            }
            if (items.isEmpty()) {
                throw new IllegalArgumentException("No images to evaluate");
            }
            System.out.printf("Model: %s (%s), input %dx%d, intensity %s%n", m.version(),
                    modelArg == null ? "shipped" : modelArg, m.inputSize(), m.inputSize(),
                    m.intensity() == null ? "none" : m.intensity());
            System.out.printf("Data: %s: %d images%s%n", split != null ? "split " + split + " (sha256 " + splitSha
                    + ")" : roots.get("folder"), items.size(), population != null ? ", population " + population
                    + " for every image" : ", each image at its own population's operating point");
            long t0 = System.nanoTime();
            Evaluation.Scored sc = Evaluation.score(model, roots, items, population, batch, items.size() > 200);
            System.out.printf("Unreadable: %d%n", sc.unreadable().size());
            sc.unreadable().forEach(u -> System.out.println("  unreadable: " + u));
            String fixed = population;
            Function<Evaluation.Row, String> groupOf = r -> fixed != null ? fixed
                    : r.item().population() != null ? r.item().population() : "not validated (age under 18, not 1-5)";
            Map<String, List<Evaluation.Row>> groups = new TreeMap<>();
            sc.rows().forEach(r -> groups.computeIfAbsent(groupOf.apply(r), k -> new ArrayList<>()).add(r));
            Map<String, Object> perPop = new LinkedHashMap<>();
            for (var g : groups.entrySet()) {
                perPop.put(g.getKey(), section(m, g.getKey(), g.getValue(), resamples, seed));
            }
            System.out.printf("Time: %.1f s%n", (System.nanoTime() - t0) / 1e9);
            report.put("model", m.version());
            report.put("modelSource", modelArg == null ? "classpath" : modelArg);
            if (split != null) {
                report.put("split", split);
                report.put("splitSha256", splitSha);
            }
            report.put("evaluatedAt", Instant.now().toString());
            report.put("images", sc.rows().size());
            report.put("refusedByGate", sc.refused());
            report.put("unreadable", sc.unreadable());
            report.put("populations", perPop);
            if (perPop.size() == 1) { // one population: its figures at the top level too
                report.putAll(castMap(perPop.values().iterator().next()));
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Evaluation.Row r : sc.rows()) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("file", r.item().source() + "/" + r.item().rel());
                o.put("label", r.item().label() == 1 ? "PNEUMONIA" : "NORMAL");
                o.put("applicable", r.applicable());
                if (r.applicable()) {
                    o.put("probability", r.probability());
                } else {
                    o.put("notApplicableReason", r.reason());
                }
                o.put("logit", r.logit());
                rows.add(o);
            }
            report.put("predictions", rows);
        }
        writeReport(a, report);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }

    private static Map<String, Object> section(ModelManifest m, String group, List<Evaluation.Row> rows,
                                               int resamples, long seed) {
        ModelManifest.Population pop = m.population(group);
        double threshold = pop != null ? pop.threshold() : m.threshold();
        List<Evaluation.Row> ok = rows.stream().filter(Evaluation.Row::applicable).toList();
        double[] p = Evaluation.probs(ok);
        int[] y = Evaluation.labels(ok);
        int pos = (int) java.util.Arrays.stream(y).filter(v -> v == 1).count();
        Map<String, Object> r = new LinkedHashMap<>();
        System.out.printf("%n== Population %s (threshold %.6f%s)%n", group, threshold,
                pop == null && m.populations() != null ? ", the default population's: not validated" : "");
        System.out.printf("Images: %d; refused by the applicability gate (not scored): %d of %d; scored %d"
                + " (normal %d, pneumonia %d)%n", rows.size(), rows.size() - ok.size(), rows.size(), ok.size(),
                ok.size() - pos, pos);
        r.put("images", ok.size());
        r.put("refusedByGate", rows.size() - ok.size());
        r.put("normal", ok.size() - pos);
        r.put("pneumonia", pos);
        r.put("threshold", threshold);
        if (pos == 0 || pos == ok.size()) {
            System.out.println("(one class only: no AUROC)");
            return r;
        }
        double auc = Metrics.auroc(p, y);
        double[] ci = Metrics.aurocBootstrapCi(p, y, resamples, seed);
        Metrics.Confusion c = Metrics.confusion(p, y, threshold);
        double ece = Metrics.ece(p, y, 10);
        System.out.printf("AUROC: %.4f (95%% CI %.4f-%.4f, percentile bootstrap, %d resamples, seed %d)%n",
                auc, ci[0], ci[1], resamples, seed);
        double[] sci = c.sensitivityCi();
        double[] pci = c.specificityCi();
        System.out.printf("At threshold %.6f: sensitivity %.4f (95%% CI %.4f-%.4f), specificity %.4f"
                + " (95%% CI %.4f-%.4f) [Wilson]%n", threshold, c.sensitivity(), sci[0], sci[1], c.specificity(),
                pci[0], pci[1]);
        System.out.println("Confusion matrix (rows = truth, columns = prediction):");
        System.out.printf("                 pred NORMAL  pred PNEUMONIA%n");
        System.out.printf("  NORMAL     %12d  %14d%n", c.tn(), c.fp());
        System.out.printf("  PNEUMONIA  %12d  %14d%n", c.fn(), c.tp());
        System.out.printf("ECE (10 equal-width bins): %.4f%n", ece);
        r.put("auroc", auc);
        r.put("aurocCi95", ci);
        r.put("bootstrap", Map.of("resamples", resamples, "seed", seed, "method", "percentile"));
        r.put("sensitivity", c.sensitivity());
        r.put("sensitivityCi95Wilson", sci);
        r.put("specificity", c.specificity());
        r.put("specificityCi95Wilson", pci);
        r.put("confusion", Map.of("tp", c.tp(), "fn", c.fn(), "tn", c.tn(), "fp", c.fp()));
        r.put("ece10", ece);
        Map<String, Object> sub = new LinkedHashMap<>();
        sub.put("source", subgroups("source", ok, i -> i.source(), resamples, seed));
        sub.put("view", subgroups("view", ok, i -> i.view().isEmpty() ? null : i.view(), resamples, seed));
        sub.put("sex", subgroups("sex", ok, i -> i.sex().isEmpty() ? null : i.sex(), resamples, seed));
        sub.put("ageBand", subgroups("age band", ok, EvaluateCommand::ageBand, resamples, seed));
        r.put("subgroups", sub);
        return r;
    }

    static String ageBand(Cohort.Item i) {
        int a = i.age();
        return a < 0 ? null : a <= 5 ? "1-5" : a < 18 ? "6-17" : a < 40 ? "18-39" : a < 60 ? "40-59" : "60+";
    }

    private static Map<String, Object> subgroups(String name, List<Evaluation.Row> rows,
                                                 Function<Cohort.Item, String> key, int resamples, long seed) {
        Map<String, List<Evaluation.Row>> by = new TreeMap<>();
        rows.forEach(r -> {
            String k = key.apply(r.item());
            if (k != null) {
                by.computeIfAbsent(k, x -> new ArrayList<>()).add(r);
            }
        });
        Map<String, Object> out = new LinkedHashMap<>();
        if (by.isEmpty()) {
            return out;
        }
        System.out.printf("AUROC by %s:%n", name);
        for (var e : by.entrySet()) {
            double[] p = Evaluation.probs(e.getValue());
            int[] y = Evaluation.labels(e.getValue());
            int pos = (int) java.util.Arrays.stream(y).filter(v -> v == 1).count();
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("images", y.length);
            g.put("pneumonia", pos);
            if (pos > 0 && pos < y.length) {
                double auc = Metrics.auroc(p, y);
                double[] ci = Metrics.aurocBootstrapCi(p, y, resamples, seed);
                g.put("auroc", auc);
                g.put("aurocCi95", ci);
                System.out.printf("  %-8s n=%4d (pneumonia %3d): AUROC %.4f (95%% CI %.4f-%.4f)%n", e.getKey(),
                        y.length, pos, auc, ci[0], ci[1]);
            } else {
                System.out.printf("  %-8s n=%4d (pneumonia %3d): one class only%n", e.getKey(), y.length, pos);
            }
            out.put(e.getKey(), g);
        }
        return out;
    }

    private static void writeReport(Args a, Map<String, Object> report) throws IOException {
        String out = a.get("report", null);
        if (out != null) {
            Path rp = Path.of(out);
            if (rp.toAbsolutePath().getParent() != null) {
                Files.createDirectories(rp.toAbsolutePath().getParent());
            }
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(rp.toFile(), report);
            System.out.println("Report: " + rp.toAbsolutePath());
        }
    }

    /** The split file given, else the one recorded for this model version on the classpath. */
    static String readSplit(String file, String version) throws IOException {
        if (file != null) {
            return Files.readString(Path.of(file));
        }
        String res = "alveolus/training/" + version + "/split.tsv";
        try (InputStream in = EvaluateCommand.class.getClassLoader().getResourceAsStream(res)) {
            if (in == null) {
                throw new IllegalArgumentException("No recorded split on the classpath (" + res
                        + "); pass --split-file RUN_DIR/split.tsv");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
