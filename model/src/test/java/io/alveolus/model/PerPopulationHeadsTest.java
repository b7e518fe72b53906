package io.alveolus.model;

import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A network with one pneumonia head per population (3 logits: paediatric pneumonia, applicability, adult
 * pneumonia; {@code pneumoniaLogits} in the manifest): each population is read, and its heat map drawn, from its
 * own logit; a manifest without the map reads logit 0 for everyone (v1, v2).
 */
class PerPopulationHeadsTest {
    static Path dir;
    static List<BufferedImage> images;

    @BeforeAll
    static void randomThreeHeadNetwork() throws Exception {
        System.setProperty("ai.djl.offline", "true");
        dir = Files.createTempDirectory("heads-");
        ModelManifest.Architecture arch = PneumoniaNet.describe(8, new int[] {8, 16}, new int[] {1, 1}, 0f, 0);
        try (Model m = Model.newInstance("heads", "PyTorch")) {
            m.setBlock(PneumoniaNet.build(arch, 3));
            try (Trainer t = m.newTrainer(new DefaultTrainingConfig(Loss.l2Loss()))) {
                t.initialize(new Shape(1, 1, 64, 64));
            }
            m.save(dir, "heads");
        }
        Random r = new Random(7);
        images = List.of(noise(r), noise(r), noise(r));
    }

    static BufferedImage noise(Random r) {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                img.getRaster().setSample(x, y, 0, r.nextInt(256));
            }
        }
        return img;
    }

    @AfterAll
    static void clean() throws Exception {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static PneumoniaModel load(Map<String, Integer> logits) throws Exception {
        ModelManifest.Architecture arch = PneumoniaNet.describe(8, new int[] {8, 16}, new int[] {1, 1}, 0f, 0);
        new ModelManifest("pneumonia", "heads", arch, "heads-0000.params", 64,
                new ModelManifest.Normalisation(0.5f, 0.25f), ModelManifest.Calibration.identity(), 0.5,
                new double[] {0, 1}, null, null, "now", Preprocessor.PERCENTILE_WINDOW, 3, null, null, null, null,
                null, logits).write(dir.resolve("manifest.json"));
        return PneumoniaModel.load(dir);
    }

    @Test
    void eachPopulationIsReadFromItsOwnLogit() throws Exception {
        List<Prediction> kids;
        List<Prediction> adults;
        List<Prediction> swappedKids;
        List<Prediction> v2Adults;
        try (PneumoniaModel m = load(Map.of("paediatric", 0, "adult", 2))) {
            kids = m.predict(images, "paediatric", null);
            adults = m.predict(images, "adult", null);
        }
        try (PneumoniaModel m = load(Map.of("paediatric", 2, "adult", 0))) {
            swappedKids = m.predict(images, "paediatric", null);
        }
        try (PneumoniaModel m = load(null)) {
            v2Adults = m.predict(images, "adult", null);
        }
        for (int i = 0; i < images.size(); i++) {
            assertNotEquals(kids.get(i).logit(), adults.get(i).logit(), "two heads, two logits");
            assertEquals(adults.get(i).logit(), swappedKids.get(i).logit(), 1e-5, "logit 2");
            assertEquals(kids.get(i).logit(), v2Adults.get(i).logit(), 1e-5, "without the map: logit 0");
            assertEquals(kids.get(i).applicabilityScore(), adults.get(i).applicabilityScore(), 1e-6,
                    "one applicability logit for both");
            // the heat map follows the head: its grid is the CAM of the logit read
            float[] a = adults.get(i).camGrid();
            float[] s = swappedKids.get(i).camGrid();
            float[] k = kids.get(i).camGrid();
            assertEquals(a.length, k.length);
            double diff = 0;
            for (int j = 0; j < a.length; j++) {
                assertEquals(a[j], s[j], 1e-5);
                diff += Math.abs(a[j] - k[j]);
            }
            assertNotEquals(0.0, diff);
        }
    }
}
