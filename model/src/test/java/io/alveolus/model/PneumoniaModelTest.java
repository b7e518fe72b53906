package io.alveolus.model;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Shipped-model tests. Reads 8 images of the recorded validation split from {@code shared/data/cxr-kermany224}
 * (found from -Dalveolus.data or by walking up from user.dir: /work/main/model -> /work/shared/...).
 * Re-record the expected scores after retraining with {@code -Dalveolus.recordExpected=true}.
 */
class PneumoniaModelTest {

    static final String EXPECTED = "expected-validation-scores.json";
    static PneumoniaModel model;
    static Path data;
    static List<String> files = new ArrayList<>();
    static List<BufferedImage> images = new ArrayList<>();
    static JsonNode expected;

    @BeforeAll
    static void load() throws Exception {
        model = PneumoniaModel.loadShipped("pneumonia-v1"); // v1 stays loadable by version
        data = findData();
        if (Boolean.getBoolean("alveolus.recordExpected")) {
            files = recordFiles();
        } else {
            try (InputStream in = PneumoniaModelTest.class.getClassLoader().getResourceAsStream(EXPECTED)) {
                assertNotNull(in, EXPECTED + " missing: record it with -Dalveolus.recordExpected=true");
                expected = new ObjectMapper().readTree(in);
            }
            for (JsonNode n : expected.get("images")) {
                files.add(n.get("file").asText());
            }
        }
        for (String f : files) {
            images.add(Preprocessor.decode(data.resolve(f)));
        }
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    static Path findData() {
        String p = System.getProperty("alveolus.data");
        if (p != null) {
            return Path.of(p);
        }
        for (Path q = Path.of(System.getProperty("user.dir")).toAbsolutePath(); q != null; q = q.getParent()) {
            for (Path c : new Path[] {q.resolve("shared/data/cxr-kermany224"),
                    q.resolveSibling("shared").resolve("data/cxr-kermany224")}) {
                if (Files.isDirectory(c)) {
                    return c;
                }
            }
        }
        throw new IllegalStateException("shared/data/cxr-kermany224 not found; pass -Dalveolus.data=DIR");
    }

    /** First 4 NORMAL and first 4 PNEUMONIA images of the recorded validation split. */
    static List<String> recordFiles() throws Exception {
        Path split = Path.of(System.getProperty("user.dir")).resolve(
                "../model-training/src/main/resources/alveolus/training/pneumonia-v1/split.tsv");
        List<String> n = new ArrayList<>();
        List<String> pn = new ArrayList<>();
        for (String line : Files.readAllLines(split)) {
            String[] f = line.split("\t");
            if ("validation".equals(f[0])) {
                (f[1].startsWith("NORMAL") ? n : pn).add(f[1]);
            }
        }
        List<String> out = new ArrayList<>(n.subList(0, 4));
        out.addAll(pn.subList(0, 4));
        return out;
    }

    @Test
    void engineIsPyTorch251Offline() {
        assertEquals("true", System.getProperty("ai.djl.offline"));
        assertEquals("PyTorch", Engine.getInstance().getEngineName());
        assertEquals("2.5.1", Engine.getInstance().getVersion());
    }

    @Test
    void shippedManifestIsConsistent() throws Exception {
        ModelManifest m = model.manifest();
        assertEquals("pneumonia-v1", m.version());
        assertTrue(m.isThresholdValidated(m.threshold()));
        assertNotNull(m.metrics());
        assertTrue(m.trainingData().attribution().contains("Kermany"));
        assertEquals("CC BY 4.0", m.trainingData().licence());
        try (InputStream in = getClass().getClassLoader()
                .getResourceAsStream(PneumoniaModel.SHIPPED_ROOT + "pneumonia-v1/" + m.paramsFile())) {
            assertNotNull(in);
            assertTrue(in.readAllBytes().length < 20 * 1024 * 1024, "shipped params under 20 MB");
        }
    }

    @Test
    void scoresValidationImagesAsRecorded() throws Exception {
        if (Boolean.getBoolean("alveolus.recordExpected")) {
            ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = om.createObjectNode();
            root.put("model", model.manifest().version());
            root.put("note", "batch-1 calibrated probabilities of 8 validation images, recorded by "
                    + "PneumoniaModelTest with -Dalveolus.recordExpected=true");
            ArrayNode arr = root.putArray("images");
            for (int i = 0; i < files.size(); i++) {
                Prediction p = model.predict(images.get(i));
                arr.addObject().put("file", files.get(i)).put("probability", p.probability())
                        .put("logit", p.logit()).put("positive", p.positive());
            }
            om.writeValue(Path.of(System.getProperty("user.dir"), "src/test/resources", EXPECTED).toFile(), root);
            return;
        }
        assertEquals(model.manifest().version(), expected.get("model").asText());
        assertEquals(8, files.size());
        for (int i = 0; i < files.size(); i++) {
            JsonNode e = expected.get("images").get(i);
            Prediction p = model.predict(images.get(i));
            assertEquals(e.get("probability").asDouble(), p.probability(), 1e-4, files.get(i));
            assertEquals(e.get("positive").asBoolean(), p.positive(), files.get(i));
        }
    }

    @Test
    void batchedEqualsSingle() {
        List<Prediction> batch = model.predict(images);
        assertEquals(images.size(), batch.size());
        for (int i = 0; i < images.size(); i++) {
            Prediction one = model.predict(images.get(i));
            assertEquals(one.probability(), batch.get(i).probability(), 1e-4);
            assertEquals(one.logit(), batch.get(i).logit(), 1e-3);
            assertEquals(images.size(), batch.get(i).batchSize());
            float[] a = one.camGrid();
            float[] b = batch.get(i).camGrid();
            assertEquals(a.length, b.length);
            for (int k = 0; k < a.length; k++) {
                assertEquals(a[k], b[k], 1e-3);
            }
        }
    }

    @Test
    void thresholdOverrideChangesOnlyTheDecision() {
        Prediction p = model.predict(images.get(0));
        Prediction low = model.predict(List.of(images.get(0)), 0.0).get(0);
        Prediction high = model.predict(List.of(images.get(0)), 1.01).get(0);
        assertTrue(low.positive());
        assertFalse(high.positive());
        assertEquals(p.probability(), low.probability(), 1e-9);
        assertEquals(p.probability() >= model.manifest().threshold(), p.positive());
    }

    @Test
    void camIsTheFeatureMapGridAndRendersAsRgbaPngAtInputSize() throws Exception {
        int s = model.manifest().inputSize();
        for (Prediction p : model.predict(images)) {
            assertEquals(s / 32, p.camWidth(), "the last feature map: the network downsamples 32x");
            assertEquals(s / 32, p.camHeight());
            assertEquals(p.camWidth() * p.camHeight(), p.camGrid().length);
            float max = 0;
            for (float v : Heatmaps.normalised(p.camGrid(), p.camWidth(), p.camHeight(), s)) {
                assertTrue(v >= 0f && v <= 1f);
                max = Math.max(max, v);
            }
            assertTrue(max == 0f || Math.abs(max - 1f) < 1e-6, "normalised to max 1");
            BufferedImage png = ImageIO.read(new ByteArrayInputStream(model.heatmapPng(p)));
            assertEquals(s, png.getWidth());
            assertEquals(s, png.getHeight());
            assertTrue(png.getColorModel().hasAlpha());
        }
    }

    @Test
    void concurrentCallsAgree() throws Exception {
        double ref = model.predict(images.get(5)).probability();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Double>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                fs.add(pool.submit(() -> model.predict(images.get(5)).probability()));
            }
            for (Future<Double> f : fs) {
                assertEquals(ref, f.get(), 1e-6);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void nativeMemoryStaysFlatOverManyCalls() throws Exception {
        List<BufferedImage> four = images.subList(0, 4);
        for (int i = 0; i < 20; i++) {
            model.predict(four);
        }
        long before = rssKb();
        for (int i = 0; i < 150; i++) {
            model.predict(four);
        }
        long grown = rssKb() - before;
        assertTrue(grown < 150_000, "RSS grew by " + grown + " kB over 150 batched calls");
    }

    static long rssKb() throws Exception {
        System.gc();
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("\\D+", ""));
            }
        }
        return 0;
    }

    @Test
    void loadFromDirectoryAndUndecodableInput(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String[] names = {"manifest.json", model.manifest().paramsFile()};
        for (String n : names) {
            try (InputStream in = getClass().getClassLoader().getResourceAsStream(PneumoniaModel.SHIPPED_ROOT + "pneumonia-v1/" + n)) {
                Files.copy(in, dir.resolve(n));
            }
        }
        try (PneumoniaModel m2 = PneumoniaModel.load(dir)) {
            assertEquals(model.predict(images.get(0)).probability(), m2.predict(images.get(0)).probability(), 1e-6);
        }
        assertThrows(IllegalArgumentException.class, () -> Preprocessor.decode(new byte[] {1, 2, 3}));
    }
}
