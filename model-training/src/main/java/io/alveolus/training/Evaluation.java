package io.alveolus.training;

import io.alveolus.model.PneumoniaModel;
import io.alveolus.model.Prediction;
import io.alveolus.model.Preprocessor;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Scores a list of image files with a {@link PneumoniaModel} through the production inference path. */
final class Evaluation {

    record Scored(List<String> files, int[] labels, double[] logits, double[] probs, List<String> failed) {
    }

    private Evaluation() {
    }

    static Scored score(PneumoniaModel model, Path root, List<DataIndex.Sample> samples, int batch,
                        boolean progress) {
        List<String> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Double> logits = new ArrayList<>();
        List<Double> probs = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        List<BufferedImage> imgs = new ArrayList<>();
        List<DataIndex.Sample> pending = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < samples.size(); i++) {
            DataIndex.Sample s = samples.get(i);
            try {
                imgs.add(Preprocessor.decode(root.resolve(s.rel())));
                pending.add(s);
            } catch (RuntimeException e) {
                failed.add(s.rel() + ": " + e.getMessage());
            }
            if (imgs.size() == batch || (i == samples.size() - 1 && !imgs.isEmpty())) {
                List<Prediction> ps = model.predict(imgs);
                for (int k = 0; k < ps.size(); k++) {
                    files.add(pending.get(k).rel());
                    labels.add(pending.get(k).label());
                    logits.add(ps.get(k).logit());
                    probs.add(ps.get(k).probability());
                }
                imgs.clear();
                pending.clear();
                if (progress && (files.size() % (batch * 20) == 0 || i == samples.size() - 1)) {
                    double sec = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("  scored %d/%d images (%.1f img/s)%n", files.size(), samples.size(),
                            files.size() / Math.max(sec, 1e-9));
                }
            }
        }
        return new Scored(files, labels.stream().mapToInt(Integer::intValue).toArray(),
                logits.stream().mapToDouble(Double::doubleValue).toArray(),
                probs.stream().mapToDouble(Double::doubleValue).toArray(), failed);
    }
}
