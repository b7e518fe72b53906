package io.alveolus.training;

import io.alveolus.model.ModelManifest;
import io.alveolus.model.PneumoniaModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code finish --run RUN_DIR [--gate-testset DIR] [--ship]}: turns a trained run into a shippable model.
 * <ol>
 *   <li>Applicability gate: threshold on the gate head chosen on the validation split (at most 1 % of each
 *       source's validation radiographs refused, never above 0.5), plus the blank/constant check.</li>
 *   <li>Per population, on its validation split: Platt calibration, threshold for sensitivity >= 0.95,
 *       validated override range.</li>
 *   <li>The locked internal test split, scored once with everything above fixed: the figures shown to users.</li>
 * </ol>
 */
final class FinishCommand {

    static final double MIN_SPREAD = 0.05;
    static final double MAX_VALIDATION_REFUSAL = 0.01;

    private FinishCommand() {
    }

    static void run(Args a) throws Exception {
        Path run = Path.of(a.require("run")).toAbsolutePath().normalize();
        Map<String, Path> roots = Main.sourceRoots(a);
        Cohort.Split split = Cohort.parse(Files.readString(run.resolve("split.tsv")), roots);
        ModelManifest m = ModelManifest.read(run.resolve("manifest.json"));
        System.out.printf("[finish] %s, split sha256 %s%n", m.version(), split.sha256());

        // 1. gate threshold from validation applicability scores (model without gate: every image is scored)
        ModelManifest noGate = rebuild(m, null, null, null);
        noGate.write(run.resolve("manifest.json"));
        List<Cohort.Item> val = split.part(Cohort.VALIDATION);
        Evaluation.Scored sv;
        try (PneumoniaModel pm = PneumoniaModel.load(run)) {
            sv = Evaluation.score(pm, roots, val, null, 32, true);
        }
        double gateT = 0.5;
        for (String src : List.of(Cohort.KERMANY, Cohort.NIH)) {
            double[] s = sv.rows().stream().filter(r -> r.item().source().equals(src))
                    .mapToDouble(Evaluation.Row::applicabilityScore).sorted().toArray();
            if (s.length > 0) {
                gateT = Math.min(gateT, Metrics.percentile(s, 100 * MAX_VALIDATION_REFUSAL));
            }
        }
        gateT = Calibrate.round6(gateT);
        ModelManifest.Applicability gate = new ModelManifest.Applicability("Refused: grey-level spread (1st-99th"
                + " percentile) below " + MIN_SPREAD + " (blank or constant), or applicability head probability below"
                + " the threshold (chosen on validation: at most 1 % of each source's validation radiographs refused)",
                MIN_SPREAD, gateT, null, null);
        System.out.printf("[gate] applicability threshold %.6f%n", gateT);

        // 2. per-population calibration on validation, through the gated production path
        m = rebuild(m, gate, null, null);
        m.write(run.resolve("manifest.json"));
        Map<String, ModelManifest.Population> pops = new LinkedHashMap<>();
        Map<String, Double> frr = new TreeMap<>();
        try (PneumoniaModel pm = PneumoniaModel.load(run)) {
            sv = Evaluation.score(pm, roots, val, null, 32, false);
        }
        frr.putAll(refusalBySource(sv, "validation"));
        for (String pop : List.of(Cohort.PAEDIATRIC, Cohort.ADULT)) {
            List<Evaluation.Row> rows = sv.rows().stream().filter(r -> pop.equals(r.item().population())).toList();
            List<Evaluation.Row> ok = rows.stream().filter(Evaluation.Row::applicable).toList();
            pops.put(pop, Calibrate.population(describe(pop), minAge(pop), maxAge(pop), Evaluation.logits(ok),
                    Evaluation.labels(ok), rows.size() - ok.size()));
        }
        m = m.withPopulations(pops, Cohort.ADULT, gate, intendedUse());
        m.write(run.resolve("manifest.json"));

        // 3. the locked internal test split, scored once
        List<Cohort.Item> test = split.part(Cohort.TEST);
        Evaluation.Scored st;
        try (PneumoniaModel pm = PneumoniaModel.load(run)) {
            st = Evaluation.score(pm, roots, test, null, 32, true);
        }
        frr.putAll(refusalBySource(st, "internal test"));
        Map<String, ModelManifest.Population> scored = new LinkedHashMap<>();
        for (var e : pops.entrySet()) {
            String pop = e.getKey();
            ModelManifest.Population p = e.getValue();
            List<Evaluation.Row> rows = st.rows().stream().filter(r -> pop.equals(r.item().population())).toList();
            List<Evaluation.Row> ok = rows.stream().filter(Evaluation.Row::applicable).toList();
            ModelManifest.Metrics tm = Calibrate.metrics("internal test (patient-disjoint, locked; scored once)",
                    Evaluation.probs(ok), Evaluation.labels(ok), p.threshold(), List.of(p.validatedThresholdRange()[0],
                            p.threshold(), p.validatedThresholdRange()[1]), rows.size() - ok.size());
            System.out.printf("[internal test] %s: %d images (%d refused by the gate): AUROC %.4f [%.4f, %.4f],"
                            + " sensitivity %.4f, specificity %.4f at %.6f, ECE %.4f%n", pop, rows.size(),
                    rows.size() - ok.size(), tm.auroc(), tm.aurocCi95()[0], tm.aurocCi95()[1], tm.sensitivity(),
                    tm.specificity(), p.threshold(), tm.ece());
            scored.put(pop, new ModelManifest.Population(p.description(), p.minAgeYears(), p.maxAgeYears(),
                    p.calibration(), p.threshold(), p.validatedThresholdRange(), p.validation(), tm));
        }
        Map<String, Double> synthetic = null;
        String gateSet = a.get("gate-testset", null);
        if (gateSet != null) {
            try (PneumoniaModel pm = PneumoniaModel.load(run)) {
                synthetic = GateCheck.rejectionByCategory(pm, Path.of(gateSet));
            }
        }
        gate = new ModelManifest.Applicability(gate.description(), gate.minSpread(), gate.threshold(), frr, synthetic);
        m = m.withPopulations(scored, Cohort.ADULT, gate, intendedUse());
        m.write(run.resolve("manifest.json"));
        System.out.println("[manifest] " + run.resolve("manifest.json"));
        System.out.println(m.toJson());

        if (a.flag("ship")) {
            Path repo = Main.repoRoot();
            Path res = repo.resolve("model/src/main/resources/alveolus/model/" + m.version());
            Files.createDirectories(res);
            Files.copy(run.resolve(m.paramsFile()), res.resolve(m.paramsFile()), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(run.resolve("manifest.json"), res.resolve("manifest.json"), StandardCopyOption.REPLACE_EXISTING);
            Path sp = repo.resolve("model-training/src/main/resources/alveolus/training/" + m.version());
            Files.createDirectories(sp);
            Files.copy(run.resolve("split.tsv"), sp.resolve("split.tsv"), StandardCopyOption.REPLACE_EXISTING);
            System.out.println("[ship] copied model to " + res + " and split to " + sp);
        }
    }

    private static Map<String, Double> refusalBySource(Evaluation.Scored s, String part) {
        Map<String, Double> m = new TreeMap<>();
        for (String src : List.of(Cohort.KERMANY, Cohort.NIH)) {
            List<Evaluation.Row> rows = s.rows().stream().filter(r -> r.item().source().equals(src)).toList();
            double f = rows.isEmpty() ? 0 : rows.stream().filter(r -> !r.applicable()).count() / (double) rows.size();
            m.put(src + " " + part, f);
            System.out.printf("[gate] %s %s: refused %d of %d real radiographs (%.2f %%)%n", src, part,
                    rows.stream().filter(r -> !r.applicable()).count(), rows.size(), 100 * f);
        }
        return m;
    }

    static String describe(String pop) {
        return Cohort.PAEDIATRIC.equals(pop) ? "paediatric: children aged 1-5 (Kermany data)"
                : "adult: 18 years and over (NIH ChestX-ray14 data)";
    }

    static int minAge(String pop) {
        return Cohort.PAEDIATRIC.equals(pop) ? 1 : 18;
    }

    static int maxAge(String pop) {
        return Cohort.PAEDIATRIC.equals(pop) ? 5 : 150;
    }

    static ModelManifest.IntendedUse intendedUse() {
        return new ModelManifest.IntendedUse(
                "Decision support: flags frontal chest radiographs with suspected pneumonia for a radiologist's"
                        + " read. Not a diagnosis; never a substitute for the radiologist's report.",
                List.of("paediatric: 1-5 years", "adult: 18 years and over"),
                List.of("frontal (PA or AP) chest radiographs, CR/DX"),
                List.of("ages 0, 6-17 (shown as not validated; the adult operating point is applied)",
                        "lateral films and CT: the gate is trained and tested on synthetic stand-ins only;"
                                + " its performance on real lateral films and CT images is not measured",
                        "sites other than the two training sources: internal-test figures come from the same"
                                + " pools as training and flatter the model",
                        "probabilities reflect each data set's prevalence (paediatric 74 %, adult 49 %),"
                                + " not a clinic's"));
    }

    /** The run's manifest with another gate / populations (none: the provisional state). */
    private static ModelManifest rebuild(ModelManifest m, ModelManifest.Applicability gate,
                                         Map<String, ModelManifest.Population> pops, String defaultPop) {
        return new ModelManifest(m.name(), m.version(), m.architecture(), m.paramsFile(), m.inputSize(),
                m.normalisation(), ModelManifest.Calibration.identity(), 0.5, new double[] {0, 1}, null,
                m.trainingData(), m.createdAt(), m.intensity(), m.outputs(), pops, defaultPop, gate, null,
                m.trainingSources(), m.pneumoniaLogits());
    }
}
