package io.alveolus.training;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * The v2 training cohort: several sources (paediatric Kermany, adult NIH), each split patient-disjoint into
 * train / validation / internal test. The internal test split is locked: scored once for the shipped model,
 * never used for a choice.
 */
public final class Cohort {

    public static final String KERMANY = "kermany";
    public static final String NIH = "nih";
    public static final String TRAIN = "train";
    public static final String VALIDATION = "validation";
    public static final String TEST = "test";

    /** Populations the model has operating points for. */
    public static final String PAEDIATRIC = "paediatric";
    public static final String ADULT = "adult";

    /**
     * One image. {@code rel} is relative to its source's root; {@code age} in years (-1 unknown),
     * {@code view} AP/PA ("" unknown), {@code sex} M/F ("" unknown).
     */
    public record Item(String source, String rel, int label, String patient, int age, String sex, String view) {
        /** The population whose operating point applies: paediatric 1-5 (Kermany), adult >= 18, else null. */
        public String population() {
            if (KERMANY.equals(source)) {
                return PAEDIATRIC;
            }
            if (FeedbackSet.SOURCE.equals(source) && age >= 1 && age <= 5) { // a feedback export names it
                return PAEDIATRIC;
            }
            return age >= 18 ? ADULT : null;
        }
    }

    /** Items per split part; {@code sha256} over the TSV that records it. */
    public record Split(Map<String, List<Item>> parts, String sha256) {
        public List<Item> part(String name) {
            return parts.getOrDefault(name, List.of());
        }

        public List<Item> part(String name, String source) {
            return part(name).stream().filter(i -> i.source().equals(source)).toList();
        }

        public String toTsv() {
            StringBuilder sb = new StringBuilder();
            for (var e : parts.entrySet()) {
                for (Item i : e.getValue()) {
                    sb.append(e.getKey()).append('\t').append(i.source()).append('\t').append(i.rel()).append('\t')
                            .append(i.patient()).append('\n');
                }
            }
            return sb.toString();
        }
    }

    private Cohort() {
    }

    /** Lists one source folder (NORMAL/, PNEUMONIA/; NIH with metadata.csv), byte-identical duplicates removed. */
    public static List<Item> list(String source, Path root, List<String> removed) throws IOException {
        List<DataIndex.Sample> all = DataIndex.list(root);
        DataIndex.Listing d = DataIndex.dedupe(root, all);
        d.removed().forEach(r -> removed.add(source + "/" + r));
        Map<String, String[]> meta = readMetadata(root.resolve("metadata.csv"));
        List<Item> out = new ArrayList<>();
        for (DataIndex.Sample s : d.samples()) {
            if (KERMANY.equals(source)) {
                // Kermany: children aged 1-5, anterior-posterior; sex not given
                out.add(new Item(source, s.rel(), s.label(), s.patient(), 3, "", "AP"));
                continue;
            }
            String[] m = meta.get(s.rel());
            if (m == null) {
                throw new IllegalArgumentException(root + "/metadata.csv has no row for " + s.rel());
            }
            out.add(new Item(source, s.rel(), s.label(), "nih:" + m[2], parseAge(m[3]), m[4].trim(),
                    m[5].trim().toUpperCase(Locale.ROOT)));
        }
        return out;
    }

    static int parseAge(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** metadata.csv: file,label,patient_id,age,sex,view,... keyed by file (relative path); empty if absent. */
    static Map<String, String[]> readMetadata(Path csv) throws IOException {
        Map<String, String[]> m = new HashMap<>();
        if (!Files.exists(csv)) {
            return m;
        }
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", 7);
            if (f.length >= 6) {
                m.put(f[0].trim(), f);
            }
        }
        return m;
    }

    /**
     * Patient-disjoint three-way split of one source, stratified by class (a patient's class is that of
     * their first image): {@code valFraction} and {@code testFraction} of each class's patients.
     */
    public static Map<String, List<Item>> split(List<Item> items, double valFraction, double testFraction,
                                                long seed) {
        Random rnd = new Random(seed);
        Map<String, Integer> patientLabel = new LinkedHashMap<>();
        for (Item i : items) {
            patientLabel.merge(i.patient(), i.label(), Math::max);
        }
        Map<String, String> partOf = new HashMap<>();
        for (int label = 0; label < 2; label++) {
            final int l = label;
            List<String> patients = new ArrayList<>(new TreeSet<>(patientLabel.entrySet().stream()
                    .filter(e -> e.getValue() == l).map(Map.Entry::getKey).toList()));
            Collections.shuffle(patients, rnd);
            int nVal = (int) Math.round(valFraction * patients.size());
            int nTest = (int) Math.round(testFraction * patients.size());
            for (int k = 0; k < patients.size(); k++) {
                partOf.put(patients.get(k), k < nVal ? VALIDATION : k < nVal + nTest ? TEST : TRAIN);
            }
        }
        Map<String, List<Item>> parts = new LinkedHashMap<>();
        for (String p : List.of(TRAIN, VALIDATION, TEST)) {
            parts.put(p, new ArrayList<>());
        }
        for (Item i : items) {
            parts.get(partOf.get(i.patient())).add(i);
        }
        return parts;
    }

    /**
     * Cross-validation inside one source's train + validation pool (the locked test part is left as it is):
     * patients are dealt into {@code folds} folds, stratified by class; fold {@code fold} becomes the validation
     * part and the others the train part. Used to choose a design on more than one small validation split.
     */
    public static Map<String, List<Item>> crossValidationFold(Map<String, List<Item>> split, int folds, int fold,
                                                              long seed) {
        if (folds < 2 || fold < 0 || fold >= folds) {
            throw new IllegalArgumentException("cross-validation fold " + fold + " of " + folds);
        }
        List<Item> pool = new ArrayList<>(split.getOrDefault(TRAIN, List.of()));
        pool.addAll(split.getOrDefault(VALIDATION, List.of()));
        Map<String, Integer> patientLabel = new LinkedHashMap<>();
        for (Item i : pool) {
            patientLabel.merge(i.patient(), i.label(), Math::max);
        }
        Random rnd = new Random(seed * 31 + folds);
        Map<String, Integer> foldOf = new HashMap<>();
        int dealt = 0;
        for (int label = 0; label < 2; label++) {
            final int l = label;
            List<String> patients = new ArrayList<>(new TreeSet<>(patientLabel.entrySet().stream()
                    .filter(e -> e.getValue() == l).map(Map.Entry::getKey).toList()));
            Collections.shuffle(patients, rnd);
            for (String p : patients) {
                foldOf.put(p, dealt++ % folds);
            }
        }
        Map<String, List<Item>> parts = new LinkedHashMap<>();
        parts.put(TRAIN, new ArrayList<>());
        parts.put(VALIDATION, new ArrayList<>());
        parts.put(TEST, new ArrayList<>(split.getOrDefault(TEST, List.of())));
        for (Item i : pool) {
            parts.get(foldOf.get(i.patient()) == fold ? VALIDATION : TRAIN).add(i);
        }
        return parts;
    }

    /** Merges per-source splits (in the given order) into one recorded split. */
    public static Split merge(List<Map<String, List<Item>>> perSource) {
        Map<String, List<Item>> parts = new LinkedHashMap<>();
        for (String p : List.of(TRAIN, VALIDATION, TEST)) {
            List<Item> l = new ArrayList<>();
            perSource.forEach(m -> l.addAll(m.getOrDefault(p, List.of())));
            parts.put(p, l);
        }
        Split tmp = new Split(parts, "");
        return new Split(parts, DataIndex.sha256(tmp.toTsv().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Re-reads a recorded split TSV ({@code part source rel patient}) against the source folders: metadata
     * (age, sex, view) comes from the folders, membership from the TSV.
     */
    public static Split parse(String tsv, Map<String, Path> roots) throws IOException {
        Map<String, Map<String, Item>> bySource = new HashMap<>();
        Map<String, List<Item>> parts = new LinkedHashMap<>();
        for (String p : List.of(TRAIN, VALIDATION, TEST)) {
            parts.put(p, new ArrayList<>());
        }
        for (String line : tsv.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length == 3) { // v1's split file: part, rel, patient (Kermany only)
                f = new String[] {f[0], KERMANY, f[1], f[2]};
            }
            String source = f[1];
            Map<String, Item> items = bySource.computeIfAbsent(source, s -> {
                Path root = roots.get(s);
                if (root == null) {
                    throw new IllegalArgumentException("split names source " + s + " but no folder was given for it");
                }
                try {
                    Map<String, Item> m = new HashMap<>();
                    for (Item i : list(s, root, new ArrayList<>())) {
                        m.put(i.rel(), i);
                    }
                    return m;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Item i = items.get(f[2]);
            if (i == null) {
                throw new IllegalArgumentException("split names " + source + "/" + f[2] + ", not in its folder");
            }
            parts.computeIfAbsent(f[0], k -> new ArrayList<>()).add(i);
        }
        return new Split(parts, DataIndex.sha256(tsv.getBytes(StandardCharsets.UTF_8)));
    }

    public static Map<String, Integer> counts(List<Item> s) {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("images", s.size());
        m.put("normal", (int) s.stream().filter(x -> x.label() == 0).count());
        m.put("pneumonia", (int) s.stream().filter(x -> x.label() == 1).count());
        m.put("patients", (int) s.stream().map(Item::patient).distinct().count());
        return m;
    }
}
