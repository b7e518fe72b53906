package io.alveolus.model;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The default shipped model (pneumonia-v3, one pneumonia head per population) and v2 (one shared head), both
 * with per-population operating points and the applicability gate.
 */
class PneumoniaModelV2Test {

    static PneumoniaModel model;
    static List<BufferedImage> films = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        System.setProperty("ai.djl.offline", "true");
        model = PneumoniaModel.loadShipped();
        // validation-split radiographs of both sources (the recorded split of v2)
        Path split = Path.of(System.getProperty("user.dir")).resolve(
                "../model-training/src/main/resources/alveolus/training/pneumonia-v2/split.tsv");
        Path kermany = PneumoniaModelTest.findData();
        Path nih = kermany.resolveSibling("cxr-nih-adult512");
        int k = 0;
        int n = 0;
        for (String line : Files.readAllLines(split)) {
            String[] f = line.split("\t");
            if (!"validation".equals(f[0])) {
                continue;
            }
            if ("kermany".equals(f[1]) && k < 4) {
                films.add(Preprocessor.decode(kermany.resolve(f[2])));
                k++;
            } else if ("nih".equals(f[1]) && n < 4) {
                films.add(Preprocessor.decode(nih.resolve(f[2])));
                n++;
            }
        }
        assertEquals(8, films.size());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void defaultIsV3WithOneHeadPerPopulationAndInternalTestFigures() {
        ModelManifest m = model.manifest();
        assertEquals("pneumonia-v3", m.version());
        assertEquals(PneumoniaModel.DEFAULT_VERSION, m.version());
        assertEquals(3, m.outputCount());
        assertEquals(0, m.pneumoniaLogit("paediatric"));
        assertEquals(2, m.pneumoniaLogit("adult"));
        internalTestFiguresPerPopulation(m);
    }

    @Test
    void v2StaysLoadableWithItsSharedHead() {
        try (PneumoniaModel v2 = PneumoniaModel.loadShipped("pneumonia-v2")) {
            ModelManifest m = v2.manifest();
            assertEquals("pneumonia-v2", m.version());
            assertEquals(2, m.outputCount());
            assertEquals(0, m.pneumoniaLogit("adult"), "no per-population heads: logit 0 for everyone");
            internalTestFiguresPerPopulation(m);
            List<BufferedImage> one = List.of(films.get(0));
            assertEquals(v2.predict(one, "paediatric", null).get(0).logit(),
                    v2.predict(one, "adult", null).get(0).logit(), 1e-6, "one shared network output");
        }
    }

    static void internalTestFiguresPerPopulation(ModelManifest m) {
        assertEquals(224, m.inputSize());
        assertEquals(Preprocessor.PERCENTILE_WINDOW, m.intensity());
        assertEquals("adult", m.defaultPopulation());
        for (String pop : List.of("paediatric", "adult")) {
            ModelManifest.Population p = m.population(pop);
            assertNotNull(p.internalTest(), pop + " has internal-test figures");
            assertTrue(p.internalTest().split().startsWith("internal test"));
            assertTrue(p.isThresholdValidated(p.threshold()));
            assertTrue(p.validation().sensitivity() >= 0.95, "threshold chosen for sensitivity >= 0.95");
        }
        assertEquals(m.population("adult").threshold(), m.threshold(), "top level = default population");
        assertEquals(2, m.trainingSources().size());
        assertTrue(m.trainingSources().get(1).attribution().contains("NIH Clinical Center"));
        assertNotNull(m.intendedUse().notValidated());
    }

    @Test
    void populationsApplyTheirOwnHeadCalibrationAndThreshold() {
        List<BufferedImage> one = List.of(films.get(0));
        Prediction kid = model.predict(one, "paediatric", null).get(0);
        Prediction adult = model.predict(one, "adult", null).get(0);
        assertNotEquals(kid.logit(), adult.logit(), 1e-6, "each population's own head");
        assertNotEquals(kid.probability(), adult.probability(), 1e-6, "calibrated per population");
        assertEquals(model.manifest().population("paediatric").threshold(), kid.threshold());
        assertEquals("paediatric", kid.population());
        Prediction unknown = model.predict(one, null, null).get(0);
        assertEquals("adult", unknown.population(), "unknown age: the default population");
        Prediction override = model.predict(one, "adult", 0.3).get(0);
        assertEquals(0.3, override.threshold());
        assertEquals(override.probability() >= 0.3, override.positive());
    }

    @Test
    void realRadiographsPassTheGate() {
        for (Prediction p : model.predict(films, null, null)) {
            assertTrue(p.applicable(), "refused a validation radiograph: " + p.notApplicableReason());
            assertTrue(p.probability() >= 0 && p.probability() <= 1);
        }
    }

    @Test
    void blankNoiseAndRotatedImagesAreRefusedWithoutAProbability() {
        BufferedImage blank = new BufferedImage(300, 300, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage noise = new BufferedImage(300, 300, BufferedImage.TYPE_BYTE_GRAY);
        Random r = new Random(5);
        for (int y = 0; y < 300; y++) {
            for (int x = 0; x < 300; x++) {
                blank.getRaster().setSample(x, y, 0, 128);
                noise.getRaster().setSample(x, y, 0, r.nextInt(256));
            }
        }
        BufferedImage film = films.get(4);
        BufferedImage rotated = new BufferedImage(film.getHeight(), film.getWidth(), BufferedImage.TYPE_BYTE_GRAY);
        float[] g = Preprocessor.grey(film);
        for (int y = 0; y < film.getHeight(); y++) {
            for (int x = 0; x < film.getWidth(); x++) {
                rotated.getRaster().setSample(film.getHeight() - 1 - y, x, 0, Math.round(g[y * film.getWidth() + x] * 255));
            }
        }
        List<Prediction> ps = model.predict(List.of(blank, noise, rotated), null, null);
        assertEquals("blank or constant image", ps.get(0).notApplicableReason());
        for (Prediction p : ps) {
            assertFalse(p.applicable());
            assertFalse(p.positive());
            assertTrue(Double.isNaN(p.probability()), "no probability for an image the model may not read");
        }
    }

    @Test
    void v1StaysLoadableByVersionAndHasNoGate() {
        try (PneumoniaModel v1 = PneumoniaModel.loadShipped("pneumonia-v1")) {
            assertEquals(192, v1.manifest().inputSize());
            assertNull(v1.manifest().applicability());
            assertTrue(v1.predict(films.get(0)).applicable());
        }
        assertThrows(IllegalArgumentException.class, () -> PneumoniaModel.loadShipped("../etc"));
    }
}
