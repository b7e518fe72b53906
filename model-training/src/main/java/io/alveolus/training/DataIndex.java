package io.alveolus.training;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Lists an image folder (NORMAL/ and PNEUMONIA/), removes byte-identical duplicates and splits by patient. */
public final class DataIndex {

    /** One image. {@code rel} is "CLASS/file" relative to the data root. */
    public record Sample(String rel, int label, String patient) {
    }

    public record Listing(List<Sample> samples, int duplicatesRemoved, List<String> removed) {
    }

    public record Split(List<Sample> train, List<Sample> validation, String sha256) {
        public String toTsv() {
            StringBuilder sb = new StringBuilder();
            for (Sample s : train) {
                sb.append("train\t").append(s.rel()).append('\t').append(s.patient()).append('\n');
            }
            for (Sample s : validation) {
                sb.append("validation\t").append(s.rel()).append('\t').append(s.patient()).append('\n');
            }
            return sb.toString();
        }
    }

    private static final Pattern NORMAL = Pattern.compile("^((?:NORMAL2-)?IM-\\d+)-\\d+\\.[A-Za-z]+$");
    private static final Pattern PNEU = Pattern.compile("^(person\\d+)_.*$");
    static final List<String> IMAGE_EXT = List.of(".jpeg", ".jpg", ".png", ".bmp", ".gif");

    private DataIndex() {
    }

    /** Patient id from a Kermany file name; falls back to the file's own name. */
    public static String patientOf(String fileName) {
        Matcher m = NORMAL.matcher(fileName);
        if (m.matches()) {
            return m.group(1);
        }
        m = PNEU.matcher(fileName);
        if (m.matches()) {
            return m.group(1);
        }
        return "file:" + fileName;
    }

    /** Finds the class sub-folder (case-insensitive) or null. */
    public static Path classDir(Path root, String name) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory)
                    .filter(p -> p.getFileName().toString().equalsIgnoreCase(name))
                    .findFirst().orElse(null);
        }
    }

    /** All image files under root/NORMAL and root/PNEUMONIA (recursively), sorted, as samples. */
    public static List<Sample> list(Path root) throws IOException {
        List<Sample> out = new ArrayList<>();
        String[] classes = {"NORMAL", "PNEUMONIA"};
        for (int label = 0; label < 2; label++) {
            Path dir = classDir(root, classes[label]);
            if (dir == null) {
                throw new IllegalArgumentException("No " + classes[label] + "/ folder in " + root);
            }
            List<Path> files;
            try (Stream<Path> s = Files.walk(dir)) {
                files = s.filter(Files::isRegularFile).filter(DataIndex::isImage).sorted().toList();
            }
            for (Path f : files) {
                String rel = root.relativize(f).toString().replace('\\', '/');
                out.add(new Sample(rel, label, patientOf(f.getFileName().toString())));
            }
        }
        return out;
    }

    static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return IMAGE_EXT.stream().anyMatch(n::endsWith);
    }

    /** Removes byte-identical duplicates: keeps the first (sorted) copy; drops all copies if labels conflict. */
    public static Listing dedupe(Path root, List<Sample> samples) throws IOException {
        Map<String, List<Sample>> byHash = new LinkedHashMap<>();
        for (Sample s : samples) {
            byHash.computeIfAbsent(sha256(root.resolve(s.rel())), k -> new ArrayList<>()).add(s);
        }
        List<Sample> kept = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (List<Sample> group : byHash.values()) {
            boolean conflict = group.stream().map(Sample::label).distinct().count() > 1;
            for (int i = 0; i < group.size(); i++) {
                if (!conflict && i == 0) {
                    kept.add(group.get(i));
                } else {
                    removed.add(group.get(i).rel() + (conflict ? " (label conflict)" : " (duplicate of "
                            + group.get(0).rel() + ")"));
                }
            }
        }
        return new Listing(kept, removed.size(), removed);
    }

    /** Patient-disjoint split, stratified by class: {@code fraction} of each class's patients to validation. */
    public static Split split(List<Sample> samples, double fraction, long seed) {
        Random rnd = new Random(seed);
        TreeSet<String> valPatients = new TreeSet<>();
        for (int label = 0; label < 2; label++) {
            final int l = label;
            List<String> patients = new ArrayList<>(new TreeSet<>(
                    samples.stream().filter(s -> s.label() == l).map(Sample::patient).toList()));
            Collections.shuffle(patients, rnd);
            int nVal = (int) Math.round(fraction * patients.size());
            valPatients.addAll(patients.subList(0, nVal));
        }
        List<Sample> train = new ArrayList<>();
        List<Sample> val = new ArrayList<>();
        for (Sample s : samples) {
            (valPatients.contains(s.patient()) ? val : train).add(s);
        }
        Split tmp = new Split(train, val, "");
        return new Split(train, val, sha256(tmp.toTsv().getBytes(StandardCharsets.UTF_8)));
    }

    /** Parses a split TSV (as written by {@link Split#toTsv()}). */
    public static Split parse(String tsv) {
        List<Sample> train = new ArrayList<>();
        List<Sample> val = new ArrayList<>();
        for (String line : tsv.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            String rel = f[1];
            int label = rel.toUpperCase(Locale.ROOT).startsWith("PNEUMONIA") ? 1 : 0;
            Sample s = new Sample(rel, label, f[2]);
            ("train".equals(f[0]) ? train : val).add(s);
        }
        return new Split(train, val, sha256(tsv.getBytes(StandardCharsets.UTF_8)));
    }

    public static Map<String, Integer> counts(List<Sample> s) {
        Map<String, Integer> m = new TreeMap<>();
        m.put("normal", (int) s.stream().filter(x -> x.label() == 0).count());
        m.put("pneumonia", (int) s.stream().filter(x -> x.label() == 1).count());
        m.put("patients", (int) s.stream().map(Sample::patient).distinct().count());
        return m;
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = md();
            byte[] buf = new byte[65536];
            int r;
            while ((r = in.read(buf)) > 0) {
                md.update(buf, 0, r);
            }
            return HexFormat.of().formatHex(md.digest());
        }
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(md().digest(bytes));
    }

    private static MessageDigest md() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
