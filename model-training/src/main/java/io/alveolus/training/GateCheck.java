package io.alveolus.training;

import io.alveolus.model.PneumoniaModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Runs only the applicability gate over a folder of images (any layout; the first sub-folder is the category). */
final class GateCheck {

    private GateCheck() {
    }

    static List<Cohort.Item> items(Path dir) throws IOException {
        List<Cohort.Item> items = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).filter(DataIndex::isImage).sorted().toList()) {
                String rel = dir.relativize(f).toString().replace('\\', '/');
                items.add(new Cohort.Item("folder", rel, 0, rel, -1, "", ""));
            }
        }
        return items;
    }

    static Evaluation.Scored run(PneumoniaModel model, Path dir) throws IOException {
        return Evaluation.score(model, Map.of("folder", dir), items(dir), null, 32, false);
    }

    /** Fraction refused per category (first path element; "." for files at the top). */
    static Map<String, Double> rejectionByCategory(PneumoniaModel model, Path dir) throws IOException {
        Evaluation.Scored s = run(model, dir);
        Map<String, int[]> c = new TreeMap<>();
        for (Evaluation.Row r : s.rows()) {
            String rel = r.item().rel();
            String cat = rel.contains("/") ? rel.substring(0, rel.indexOf('/')) : ".";
            int[] n = c.computeIfAbsent(cat, k -> new int[2]);
            n[0] += r.applicable() ? 0 : 1;
            n[1]++;
        }
        Map<String, Double> out = new TreeMap<>();
        int refused = 0;
        int total = 0;
        for (var e : c.entrySet()) {
            System.out.printf("  %-24s refused %d of %d%n", e.getKey(), e.getValue()[0], e.getValue()[1]);
            out.put(e.getKey(), e.getValue()[0] / (double) e.getValue()[1]);
            refused += e.getValue()[0];
            total += e.getValue()[1];
        }
        System.out.printf("refused %d of %d%n", refused, total);
        if (!s.unreadable().isEmpty()) {
            System.out.printf("(%d unreadable files not counted)%n", s.unreadable().size());
        }
        out.put("all", total == 0 ? 0 : refused / (double) total);
        return out;
    }
}
