package io.alveolus.training;

import io.alveolus.common.imaging.ImageFormat;
import io.alveolus.interop.DicomImage;
import io.alveolus.model.PneumoniaModel;
import io.alveolus.model.Prediction;
import io.alveolus.model.Preprocessor;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Scores images with a {@link PneumoniaModel} through the production inference path (decode, preprocessing,
 * applicability gate, the population's calibration): exactly what the worker does.
 */
final class Evaluation {

    /** One scored image. {@code probability} is NaN when the gate refused it. */
    record Row(Cohort.Item item, double logit, double probability, boolean applicable, String reason,
               double applicabilityScore) {
    }

    record Scored(List<Row> rows, List<String> unreadable) {
        /** Rows the gate let through (the only ones with a probability). */
        List<Row> applicable() {
            return rows.stream().filter(Row::applicable).toList();
        }

        long refused() {
            return rows.stream().filter(r -> !r.applicable()).count();
        }
    }

    private Evaluation() {
    }

    /**
     * @param population a fixed population for every image, or null: each image's own ({@link Cohort.Item#population()},
     *                   the model's default when it has none)
     */
    static Scored score(PneumoniaModel model, Map<String, Path> roots, List<Cohort.Item> items, String population,
                        int batch, boolean progress) {
        List<Row> rows = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        Function<Cohort.Item, String> popOf = i -> population != null ? population : i.population();
        // batch by population: one predict call applies one operating point
        List<Cohort.Item> pending = new ArrayList<>();
        List<BufferedImage> imgs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < items.size(); i++) {
            Cohort.Item it = items.get(i);
            if (!pending.isEmpty() && !java.util.Objects.equals(popOf.apply(pending.get(0)), popOf.apply(it))) {
                flush(model, pending, imgs, popOf, rows);
            }
            try {
                imgs.add(decode(roots.get(it.source()).resolve(it.rel())));
                pending.add(it);
            } catch (RuntimeException e) {
                unreadable.add(it.rel() + ": " + e.getMessage());
            }
            if (imgs.size() == batch || i == items.size() - 1) {
                flush(model, pending, imgs, popOf, rows);
                if (progress && (rows.size() % (batch * 20) < batch || i == items.size() - 1)) {
                    double sec = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("  scored %d/%d images (%.1f img/s)%n", rows.size(), items.size(),
                            rows.size() / Math.max(sec, 1e-9));
                }
            }
        }
        return new Scored(rows, unreadable);
    }

    private static void flush(PneumoniaModel model, List<Cohort.Item> pending, List<BufferedImage> imgs,
                              Function<Cohort.Item, String> popOf, List<Row> rows) {
        if (imgs.isEmpty()) {
            return;
        }
        List<Prediction> ps = model.predict(imgs, popOf.apply(pending.get(0)), null);
        for (int k = 0; k < ps.size(); k++) {
            Prediction p = ps.get(k);
            rows.add(new Row(pending.get(k), p.logit(), p.probability(), p.applicable(), p.notApplicableReason(),
                    p.applicabilityScore()));
        }
        imgs.clear();
        pending.clear();
    }

    /**
     * PNG/JPEG through the model's decoder, DICOM through the worker's (the same windowing as in production), told
     * apart by content as the worker does ({@code LoadedModel.decode}), not by the file's name.
     */
    static BufferedImage decode(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (ImageFormat.sniff(bytes).orElse(null) != ImageFormat.DICOM) {
            return Preprocessor.decode(bytes);
        }
        try {
            return DicomImage.decode(bytes).image();
        } catch (Exception e) {
            throw new IllegalArgumentException("Cannot decode " + file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    static double[] probs(List<Row> rows) {
        return rows.stream().mapToDouble(Row::probability).toArray();
    }

    static double[] logits(List<Row> rows) {
        return rows.stream().mapToDouble(Row::logit).toArray();
    }

    static int[] labels(List<Row> rows) {
        return rows.stream().mapToInt(r -> r.item().label()).toArray();
    }
}
