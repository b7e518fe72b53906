package io.alveolus.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.alveolus.model.ModelBundle;
import io.alveolus.model.ModelManifest;
import io.alveolus.model.PneumoniaModel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code gate}: the promotion gate (issue 16). Compares a candidate version with the active one on the dedicated
 * gate split and, optionally, on held-out radiologist feedback, per population, on the same images (paired), and
 * accepts only under rules fixed here in advance:
 * <ul>
 *   <li>the lower bound of the 95 % paired cluster-bootstrap interval of ΔAUROC (candidate − active) is above
 *       −{@value #AUROC_MARGIN};</li>
 *   <li>sensitivity at the candidate's own threshold is at most {@value #SENSITIVITY_MARGIN} below the active
 *       version's at its own threshold;</li>
 *   <li>the candidate's applicability gate refuses at most 1 % of the images (at least one) more than the active's.</li>
 * </ul>
 * A population whose data has one class only cannot be compared and is reported as such (it neither accepts nor
 * refuses). The gate split is never the locked internal test split: the command refuses to run if they overlap, and
 * refuses a candidate whose recorded training data overlaps it (the comparison would flatter it).
 *
 * <p>The gate split ({@value #GATE_SPLIT_RESOURCE}, {@code gate-split} rebuilds it) is half of the patients of each
 * source's validation part of pneumonia-v3's split, drawn stratified by class with a fixed seed. Training runs since
 * leave those patients out of their validation part (no checkpoint, calibration or threshold is chosen on them).
 * pneumonia-v3 itself chose its calibration and thresholds on the whole validation part, so on this split the
 * incumbent v3 is, if anything, favoured: the gate errs towards keeping it.
 */
final class PromotionGate {

    static final String GATE = "gate";
    static final String GATE_SPLIT_RESOURCE = "alveolus/training/gate-split.tsv";
    static final String GATE_SPLIT_BASE = "pneumonia-v3";
    static final long GATE_SPLIT_SEED = 20261203L;
    static final double AUROC_MARGIN = 0.02;
    static final double SENSITIVITY_MARGIN = 0.02;
    static final String FEEDBACK = FeedbackSet.SOURCE;

    /** The decision and the figures it rests on (also written as JSON with {@code --report}). */
    record Decision(boolean accepted, Map<String, Object> report) {
    }

    private PromotionGate() {
    }

    static Decision run(Args a) throws Exception {
        ModelBundle candidate = bundle(a.get("candidate", null), a.get("candidate-version", null), null);
        ModelBundle active = bundle(a.get("active", null), a.get("active-version", null),
                PneumoniaModel.DEFAULT_VERSION);
        int resamples = a.getInt("bootstrap", 2000);
        long seed = a.getLong("seed", 42);
        int batch = a.getInt("batch", 16);
        Map<String, Path> roots = new LinkedHashMap<>(Main.sourceRoots(a));
        String gateTsv = a.get("gate-split", null) != null ? Files.readString(Path.of(a.get("gate-split", null)))
                : resource(GATE_SPLIT_RESOURCE);
        Cohort.Split gateSplit = Cohort.parse(gateTsv, roots);
        List<Cohort.Item> items = new ArrayList<>(gateSplit.part(GATE));
        if (items.isEmpty()) {
            throw new IllegalArgumentException("the gate split has no '" + GATE + "' part");
        }
        List<String> refusals = new ArrayList<>();
        checkOverlap(gateTsv, active, a.get("active", null), "active", refusals);
        checkOverlap(gateTsv, candidate, a.get("candidate", null), "candidate", refusals);

        System.out.printf("Promotion gate: candidate %s (sha256 %s) against active %s (sha256 %s)%n",
                candidate.version(), candidate.contentSha256(), active.version(), active.contentSha256());
        System.out.printf("Gate split: %d images (sha256 %s)%n", items.size(), gateSplit.sha256());
        System.out.printf("Rules (fixed in advance): lower 95%% bound of paired ΔAUROC > -%.2f; sensitivity at own"
                + " threshold no more than %.2f below the active's; applicability refusals at most 1%% more%n",
                AUROC_MARGIN, SENSITIVITY_MARGIN);

        String feedbackDir = a.get("feedback", null);
        // an unpacked feedback export names each image's population; a plain NORMAL/PNEUMONIA folder takes one
        String feedbackPopulation = null;
        List<Cohort.Item> feedback = new ArrayList<>();
        if (feedbackDir != null) {
            Path fd = Path.of(feedbackDir).toAbsolutePath().normalize();
            roots.put(FEEDBACK, fd);
            if (FeedbackSet.isExport(fd)) {
                feedback.addAll(FeedbackSet.heldOut(fd));
                System.out.printf("Held-out feedback: %d images of %s (its held-out patients, %d %%; training"
                        + " never reads them)%n", feedback.size(), fd, FeedbackSet.HELD_OUT_PERCENT);
            } else {
                feedbackPopulation = a.get("feedback-population", Cohort.ADULT);
                for (DataIndex.Sample s : DataIndex.list(fd)) {
                    feedback.add(new Cohort.Item(FEEDBACK, s.rel(), s.label(), s.patient(),
                            FeedbackSet.ageStandingFor(feedbackPopulation), "", ""));
                }
                System.out.printf("Held-out feedback: %d images from %s, population %s%n", feedback.size(), fd,
                        feedbackPopulation);
            }
        }

        // every image (gate split and feedback) at its own population's operating point, by both versions
        List<Cohort.Item> all = new ArrayList<>(items);
        all.addAll(feedback);
        Map<String, Evaluation.Row> scoredActive = score(active, roots, all, batch);
        Map<String, Evaluation.Row> scoredCandidate = score(candidate, roots, all, batch);
        Map<String, List<Cohort.Item>> groups = new TreeMap<>();
        for (Cohort.Item i : all) {
            if (i.population() != null) { // NIH patients under 18: no validated operating point
                groups.computeIfAbsent(FEEDBACK.equals(i.source()) ? FEEDBACK + " (" + i.population() + ")"
                        : i.population(), k -> new ArrayList<>()).add(i);
            }
        }
        Map<String, Object> perGroup = new LinkedHashMap<>();
        for (var g : groups.entrySet()) {
            perGroup.put(g.getKey(), compare(g.getKey(), g.getValue().get(0).population(), g.getValue(),
                    scoredActive, scoredCandidate, active.manifest(), candidate.manifest(), resamples, seed,
                    refusals));
        }
        boolean accepted = refusals.isEmpty();
        System.out.printf("%nDecision: %s%n", accepted ? "ACCEPTED" : "REFUSED");
        refusals.forEach(r -> System.out.println("  - " + r));

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("accepted", accepted);
        report.put("refusals", refusals);
        report.put("candidate", Map.of("version", candidate.version(), "sha256", candidate.contentSha256()));
        report.put("active", Map.of("version", active.version(), "sha256", active.contentSha256()));
        report.put("gateSplit", Map.of("images", items.size(), "sha256", gateSplit.sha256(),
                "derivedFrom", GATE_SPLIT_BASE + " validation part, half of each source's patients"));
        if (feedbackDir != null) {
            report.put("feedback", Map.of("folder", feedbackDir, "images", feedback.size(), "heldOut",
                    feedbackPopulation == null ? FeedbackSet.HELD_OUT_PERCENT + " % of the export's patients"
                            : "the whole folder, population " + feedbackPopulation));
        }
        report.put("rules", Map.of("aurocDeltaLowerBoundAbove", -AUROC_MARGIN, "sensitivityDropAtMost",
                SENSITIVITY_MARGIN, "extraRefusalsAtMost", "1 % of the images, at least one",
                "interval", "paired cluster bootstrap by patient, percentile 95 %", "resamples", resamples,
                "seed", seed));
        report.put("populations", perGroup);
        report.put("evaluatedAt", Instant.now().toString());
        String out = a.get("report", null);
        if (out != null) {
            Path rp = Path.of(out).toAbsolutePath();
            Files.createDirectories(rp.getParent());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(rp.toFile(), report);
            System.out.println("Report: " + rp + " (record it with PUT /api/admin/models/" + candidate.version()
                    + "/gate)");
        }
        return new Decision(accepted, report);
    }

    private static Map<String, Object> compare(String group, String population, List<Cohort.Item> items,
                                               Map<String, Evaluation.Row> activeRows,
                                               Map<String, Evaluation.Row> candidateRows, ModelManifest am,
                                               ModelManifest cm, int resamples, long seed, List<String> refusals) {
        List<Evaluation.Row> ra = new ArrayList<>();
        List<Evaluation.Row> rc = new ArrayList<>();
        int refusedA = 0;
        int refusedC = 0;
        int scored = 0;
        for (Cohort.Item i : items) {
            Evaluation.Row x = activeRows.get(key(i));
            Evaluation.Row y = candidateRows.get(key(i));
            if (x == null || y == null) {
                continue; // unreadable: the same file for both
            }
            scored++;
            refusedA += x.applicable() ? 0 : 1;
            refusedC += y.applicable() ? 0 : 1;
            if (x.applicable() && y.applicable()) {
                ra.add(x);
                rc.add(y);
            }
        }
        double ta = threshold(am, population);
        double tc = threshold(cm, population);
        int[] labels = Evaluation.labels(ra);
        int pos = (int) java.util.Arrays.stream(labels).filter(v -> v == 1).count();
        Map<String, Object> r = new LinkedHashMap<>();
        System.out.printf("%n== %s: %d images, both applicable %d (normal %d, pneumonia %d); refused by the"
                + " applicability gate: active %d, candidate %d%n", group, scored, ra.size(), ra.size() - pos, pos,
                refusedA, refusedC);
        r.put("images", scored);
        r.put("compared", ra.size());
        r.put("pneumonia", pos);
        r.put("refusedActive", refusedA);
        r.put("refusedCandidate", refusedC);
        int allowedExtra = Math.max(1, (int) Math.floor(0.01 * scored));
        if (refusedC - refusedA > allowedExtra) {
            refusals.add(String.format("%s: the candidate's applicability gate refuses %d images more than the"
                    + " active's (at most %d allowed)", group, refusedC - refusedA, allowedExtra));
        }
        if (pos == 0 || pos == ra.size()) {
            System.out.println("one class only: not compared");
            r.put("comparable", false);
            return r;
        }
        String[] clusters = ra.stream().map(x -> x.item().source() + ":" + x.item().patient()).toArray(String[]::new);
        double[] d = Metrics.pairedAurocDelta(Evaluation.probs(ra), Evaluation.probs(rc), labels, clusters,
                resamples, seed);
        double aucA = Metrics.auroc(Evaluation.probs(ra), labels);
        double aucC = Metrics.auroc(Evaluation.probs(rc), labels);
        Metrics.Confusion ca = Metrics.confusion(Evaluation.probs(ra), labels, ta);
        Metrics.Confusion cc = Metrics.confusion(Evaluation.probs(rc), labels, tc);
        double[] sa = ca.sensitivityCi();
        double[] sc = cc.sensitivityCi();
        System.out.printf("                 %-12s %-12s%n", "active", "candidate");
        System.out.printf("  AUROC          %-12.4f %-12.4f  ΔAUROC %+.4f (95%% CI %+.4f to %+.4f, paired bootstrap"
                + " by patient, %d resamples)%n", aucA, aucC, d[0], d[1], d[2], resamples);
        System.out.printf("  threshold      %-12.6f %-12.6f  (each version's own)%n", ta, tc);
        System.out.printf("  sensitivity    %-12.4f %-12.4f  (Wilson 95%% CI: active %.4f-%.4f, candidate"
                + " %.4f-%.4f)%n", ca.sensitivity(), cc.sensitivity(), sa[0], sa[1], sc[0], sc[1]);
        System.out.printf("  specificity    %-12.4f %-12.4f%n", ca.specificity(), cc.specificity());
        r.put("comparable", true);
        r.put("aurocActive", aucA);
        r.put("aurocCandidate", aucC);
        r.put("aurocDelta", d[0]);
        r.put("aurocDeltaCi95", new double[] {d[1], d[2]});
        r.put("thresholdActive", ta);
        r.put("thresholdCandidate", tc);
        r.put("sensitivityActive", ca.sensitivity());
        r.put("sensitivityCandidate", cc.sensitivity());
        r.put("specificityActive", ca.specificity());
        r.put("specificityCandidate", cc.specificity());
        boolean aurocOk = d[1] > -AUROC_MARGIN;
        boolean sensOk = cc.sensitivity() >= ca.sensitivity() - SENSITIVITY_MARGIN - 1e-12;
        if (!aurocOk) {
            refusals.add(String.format("%s: lower bound of ΔAUROC %.4f is not above -%.2f", group, d[1],
                    AUROC_MARGIN));
        }
        if (!sensOk) {
            refusals.add(String.format("%s: sensitivity %.4f at the candidate's threshold is more than %.2f below"
                    + " the active's %.4f", group, cc.sensitivity(), SENSITIVITY_MARGIN, ca.sensitivity()));
        }
        r.put("passes", aurocOk && sensOk);
        System.out.printf("  -> %s%n", aurocOk && sensOk ? "holds" : "does not hold");
        return r;
    }

    /** One version's readings of the images, by source/rel. */
    private static Map<String, Evaluation.Row> score(ModelBundle version, Map<String, Path> roots,
                                                     List<Cohort.Item> items, int batch) {
        Map<String, Evaluation.Row> rows = new HashMap<>();
        try (PneumoniaModel model = version.load()) {
            Evaluation.score(model, roots, items, null, batch, false).rows().forEach(r -> rows.put(key(r.item()), r));
        }
        return rows;
    }

    private static double threshold(ModelManifest m, String population) {
        ModelManifest.Population p = m.population(population);
        return p != null ? p.threshold() : m.threshold();
    }

    private static String key(Cohort.Item i) {
        return i.source() + "/" + i.rel();
    }

    private static ModelBundle bundle(String dir, String version, String defaultVersion) {
        if (dir != null) {
            return ModelBundle.fromDirectory(Path.of(dir));
        }
        String v = version != null ? version : defaultVersion;
        if (v == null) {
            throw new IllegalArgumentException("name the candidate: --candidate MODEL_DIR or --candidate-version V");
        }
        if (!ModelBundle.isShipped(v)) {
            throw new IllegalArgumentException("no shipped version " + v + "; pass its folder instead");
        }
        return ModelBundle.shipped(v);
    }

    /**
     * The gate split must not touch a version's locked internal test split (error), nor the candidate's training
     * data (a refusal: it would flatter it); the active's training data only flatters the incumbent, a warning.
     * Versions without a recorded split (a copy under a new name) cannot be checked: said so.
     */
    private static void checkOverlap(String gateTsv, ModelBundle b, String dir, String role, List<String> refusals)
            throws IOException {
        String split = recordedSplit(b.version(), dir);
        if (split == null) {
            System.out.printf("Note: %s %s has no recorded split here; its overlap with the gate split is not"
                    + " checked%n", role, b.version());
            return;
        }
        Map<String, String> partOf = partsByKey(split);
        Set<String> gate = partsByKey(gateTsv).keySet();
        long inTest = gate.stream().filter(k -> Cohort.TEST.equals(partOf.get(k))).count();
        long inTrain = gate.stream().filter(k -> Cohort.TRAIN.equals(partOf.get(k))).count();
        if (inTest > 0) {
            throw new IllegalArgumentException("the gate split shares " + inTest + " images with " + b.version()
                    + "'s locked internal test split: refused to run");
        }
        if (inTrain > 0 && "candidate".equals(role)) {
            refusals.add("the gate split shares " + inTrain + " images with the candidate's training data");
        } else if (inTrain > 0) {
            System.out.printf("Note: the gate split shares %d images with the active version's training data (it"
                    + " favours the active version)%n", inTrain);
        }
    }

    private static String recordedSplit(String version, String dir) throws IOException {
        if (dir != null && Files.exists(Path.of(dir, "split.tsv"))) {
            return Files.readString(Path.of(dir, "split.tsv"));
        }
        try (InputStream in = PromotionGate.class.getClassLoader()
                .getResourceAsStream("alveolus/training/" + version + "/split.tsv")) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** source/rel → part, for the 4-column split files and v1's 3-column (Kermany only) one. */
    static Map<String, String> partsByKey(String tsv) {
        Map<String, String> m = new HashMap<>();
        for (String line : tsv.split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 3) {
                m.put(Cohort.KERMANY + "/" + f[1], f[0]);
            } else if (f.length >= 4) {
                m.put(f[1] + "/" + f[2], f[0]);
            }
        }
        return m;
    }

    static String resource(String name) throws IOException {
        try (InputStream in = PromotionGate.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no " + name + " on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * {@code gate-split}: half of each source's validation patients of {@value #GATE_SPLIT_BASE}'s split, stratified
     * by class (a patient's class is that of any pneumonia image), fixed seed; written as {@code gate} lines.
     */
    static String deriveGateSplit() throws IOException {
        String base = resource("alveolus/training/" + GATE_SPLIT_BASE + "/split.tsv");
        Map<String, List<String[]>> validationBySource = new TreeMap<>();
        for (String line : base.split("\n")) {
            String[] f = line.split("\t");
            if (f.length >= 4 && Cohort.VALIDATION.equals(f[0])) {
                validationBySource.computeIfAbsent(f[1], k -> new ArrayList<>()).add(f);
            }
        }
        StringBuilder sb = new StringBuilder();
        Random rnd = new Random(GATE_SPLIT_SEED);
        for (var e : validationBySource.entrySet()) {
            Map<String, Integer> patientLabel = new TreeMap<>();
            for (String[] f : e.getValue()) {
                patientLabel.merge(f[3], f[2].startsWith("PNEUMONIA/") ? 1 : 0, Math::max);
            }
            Set<String> gatePatients = new TreeSet<>();
            for (int label = 0; label < 2; label++) {
                final int l = label;
                List<String> ps = new ArrayList<>(patientLabel.entrySet().stream().filter(x -> x.getValue() == l)
                        .map(Map.Entry::getKey).toList());
                Collections.shuffle(ps, rnd);
                gatePatients.addAll(ps.subList(0, ps.size() / 2));
            }
            for (String[] f : e.getValue()) {
                if (gatePatients.contains(f[3])) {
                    sb.append(GATE).append('\t').append(f[1]).append('\t').append(f[2]).append('\t').append(f[3])
                            .append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** The gate split's patients per source, which training leaves out of its validation part. */
    static Set<String> gatePatients() throws IOException {
        Set<String> s = new java.util.HashSet<>();
        for (String line : resource(GATE_SPLIT_RESOURCE).split("\n")) {
            String[] f = line.split("\t");
            if (f.length >= 4) {
                s.add(f[1] + ":" + f[3]);
            }
        }
        return s;
    }
}
