package io.alveolus.training;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * An unpacked feedback export (results-service {@code /api/admin/tenants/{tenant}/feedback-exports}, docs/operations.md
 * section 15) as training and gate data: {@code labels.csv} (the radiologist's label, the patient key, the population)
 * and {@code images/} (de-identified DICOM or PNG). Its patients are dealt once, by a hash of the patient key, into
 * a training part and a held-out part ({@value #HELD_OUT_PERCENT} % of the patients) that only the promotion gate
 * reads: a retrained candidate never sees the feedback it is judged on, and a patient's images stay together.
 */
final class FeedbackSet {

    static final String SOURCE = "feedback";
    static final int HELD_OUT_PERCENT = 30;

    private FeedbackSet() {
    }

    static boolean isExport(Path dir) {
        return Files.exists(dir.resolve("labels.csv"));
    }

    /** Every reviewed image of the export; {@code age} stands for the row's population ({@link #ageStandingFor}). */
    static List<Cohort.Item> all(Path dir) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("labels.csv"), StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(dir + "/labels.csv is empty");
        }
        List<String> header = List.of(lines.get(0).split(","));
        int file = column(header, "file");
        int key = column(header, "patient_key");
        int label = column(header, "label");
        int population = column(header, "population");
        int view = header.indexOf("view_position");
        List<Cohort.Item> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1); // the export quotes nothing in these columns (ids, codes, numbers)
            int y = switch (f[label]) {
                case "PNEUMONIA" -> 1;
                case "NO_PNEUMONIA" -> 0;
                default -> throw new IllegalArgumentException("labels.csv: label " + f[label]);
            };
            out.add(new Cohort.Item(SOURCE, f[file], y, "feedback:" + f[key], ageStandingFor(f[population]), "",
                    view >= 0 && view < f.length ? f[view] : ""));
        }
        return out;
    }

    /** The age a feedback item carries for its population ({@link Cohort.Item#population()} reads it back). */
    static int ageStandingFor(String population) {
        return Cohort.PAEDIATRIC.equals(population) ? 3 : Cohort.ADULT.equals(population) ? 30 : -1;
    }

    static List<Cohort.Item> training(Path dir) throws IOException {
        return all(dir).stream().filter(i -> !heldOut(i.patient())).toList();
    }

    static List<Cohort.Item> heldOut(Path dir) throws IOException {
        return all(dir).stream().filter(i -> heldOut(i.patient())).toList();
    }

    static boolean heldOut(String patient) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(patient.getBytes(StandardCharsets.UTF_8));
            int v = ((h[0] & 0xff) << 8) | (h[1] & 0xff);
            return v % 100 < HELD_OUT_PERCENT;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int column(List<String> header, String name) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("labels.csv has no column " + name + " (header " + header + ")");
        }
        return i;
    }
}
