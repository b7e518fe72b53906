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

/** {@code evaluate}: AUROC + bootstrap CI, sensitivity/specificity at the model threshold, confusion, ECE. */
final class EvaluateCommand {

    static final String SPLIT_RESOURCE = "alveolus/training/pneumonia-v1/split.tsv";

    private EvaluateCommand() {
    }

    static void run(Args a) throws Exception {
        String split = a.get("split", null);
        int batch = a.getInt("batch", 16);
        int resamples = a.getInt("bootstrap", 1000);
        long seed = a.getLong("seed", 42);
        Path data;
        List<DataIndex.Sample> samples;
        String splitSha = null;
        if (split != null) {
            if (!"validation".equals(split) && !"train".equals(split)) {
                throw new IllegalArgumentException("--split must be validation (or train)");
            }
            data = Path.of(a.get("data", Main.defaultKermany().toString())).toAbsolutePath().normalize();
            DataIndex.Split s = DataIndex.parse(readSplit(a.get("split-file", null)));
            samples = "validation".equals(split) ? s.validation() : s.train();
            splitSha = s.sha256();
        } else {
            data = Path.of(a.require("data")).toAbsolutePath().normalize();
            samples = DataIndex.list(data);
        }
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("No images found in " + data);
        }
        String modelArg = a.get("model", null);
        long t0 = System.nanoTime();
        Map<String, Object> report = new LinkedHashMap<>();
        try (PneumoniaModel model = modelArg == null ? PneumoniaModel.loadShipped()
                : PneumoniaModel.load(Path.of(modelArg))) {
            ModelManifest m = model.manifest();
            if (splitSha != null && m.trainingData() != null
                    && !splitSha.equals(m.trainingData().splitSha256())) {
                System.out.println("WARNING: split sha256 " + splitSha + " differs from the model's "
                        + m.trainingData().splitSha256());
            }
            System.out.printf("Model: %s (%s), input %dx%d, calibration %s a=%.4f b=%.4f, threshold %.6f%n",
                    m.version(), modelArg == null ? "shipped" : modelArg, m.inputSize(), m.inputSize(),
                    m.calibration().method(), m.calibration().a(), m.calibration().b(), m.threshold());
            System.out.printf("Data: %s%s: %d images%n", data, split != null ? " [split " + split + ", sha256 "
                    + splitSha + "]" : "", samples.size());
            Evaluation.Scored sc = Evaluation.score(model, data, samples, batch, samples.size() > 200);
            double[] p = sc.probs();
            int[] y = sc.labels();
            int pos = (int) java.util.Arrays.stream(y).filter(v -> v == 1).count();
            int neg = y.length - pos;
            double auc = Metrics.auroc(p, y);
            double[] ci = Metrics.aurocBootstrapCi(p, y, resamples, seed);
            Metrics.Confusion c = Metrics.confusion(p, y, m.threshold());
            double ece = Metrics.ece(p, y, 10);
            double secs = (System.nanoTime() - t0) / 1e9;

            System.out.printf("Images scored: %d (normal %d, pneumonia %d); unreadable: %d%n", y.length, neg, pos,
                    sc.failed().size());
            for (String f : sc.failed()) {
                System.out.println("  unreadable: " + f);
            }
            System.out.printf("AUROC: %.4f (95%% CI %.4f-%.4f, percentile bootstrap, %d resamples, seed %d)%n",
                    auc, ci[0], ci[1], resamples, seed);
            double[] sci = c.sensitivityCi();
            double[] pci = c.specificityCi();
            System.out.printf("At threshold %.6f: sensitivity %.4f (95%% CI %.4f-%.4f), specificity %.4f"
                            + " (95%% CI %.4f-%.4f) [Wilson]%n", m.threshold(), c.sensitivity(), sci[0], sci[1],
                    c.specificity(), pci[0], pci[1]);
            System.out.println("Confusion matrix (rows = truth, columns = prediction):");
            System.out.printf("                 pred NORMAL  pred PNEUMONIA%n");
            System.out.printf("  NORMAL     %12d  %14d%n", c.tn(), c.fp());
            System.out.printf("  PNEUMONIA  %12d  %14d%n", c.fn(), c.tp());
            System.out.printf("ECE (10 equal-width bins): %.4f%n", ece);
            System.out.printf("Time: %.1f s%n", secs);

            report.put("model", m.version());
            report.put("modelSource", modelArg == null ? "classpath:" + PneumoniaModel.SHIPPED_RESOURCE : modelArg);
            report.put("data", data.toString());
            if (split != null) {
                report.put("split", split);
                report.put("splitSha256", splitSha);
            }
            report.put("evaluatedAt", Instant.now().toString());
            report.put("images", y.length);
            report.put("normal", neg);
            report.put("pneumonia", pos);
            report.put("unreadable", sc.failed());
            report.put("auroc", auc);
            report.put("aurocCi95", ci);
            report.put("bootstrap", Map.of("resamples", resamples, "seed", seed, "method", "percentile"));
            report.put("threshold", m.threshold());
            report.put("sensitivity", c.sensitivity());
            report.put("sensitivityCi95Wilson", sci);
            report.put("specificity", c.specificity());
            report.put("specificityCi95Wilson", pci);
            report.put("confusion", Map.of("tp", c.tp(), "fn", c.fn(), "tn", c.tn(), "fp", c.fp()));
            report.put("ece10", ece);
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int i = 0; i < y.length; i++) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("file", sc.files().get(i));
                r.put("label", y[i] == 1 ? "PNEUMONIA" : "NORMAL");
                r.put("probability", p[i]);
                r.put("logit", sc.logits()[i]);
                rows.add(r);
            }
            report.put("predictions", rows);
        }
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

    static String readSplit(String file) throws IOException {
        if (file != null) {
            return Files.readString(Path.of(file));
        }
        try (InputStream in = EvaluateCommand.class.getClassLoader().getResourceAsStream(SPLIT_RESOURCE)) {
            if (in == null) {
                throw new IllegalArgumentException("No recorded split on the classpath (" + SPLIT_RESOURCE
                        + "); pass --split-file RUN_DIR/split.tsv");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
