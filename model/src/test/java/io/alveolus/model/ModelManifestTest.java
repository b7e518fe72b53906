package io.alveolus.model;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ModelManifestTest {

    @Test
    void jsonRoundTrip() throws Exception {
        ModelManifest m = new ModelManifest("pneumonia", "pneumonia-v1",
                PneumoniaNet.describe(16, new int[] {16, 32}, new int[] {1, 1}, 0.2f, 1234),
                "pneumonia-v1-0000.params", 192, new ModelManifest.Normalisation(0.48f, 0.23f),
                new ModelManifest.Calibration("platt", 1.5, -0.3), 0.42, new double[] {0.2, 0.7},
                new ModelManifest.Metrics("validation", 10, 5, 0.98, new double[] {0.96, 0.99}, 0.95,
                        new double[] {0.9, 0.98}, 0.9, new double[] {0.8, 0.95}, 0.03,
                        List.of(new ModelManifest.OperatingPoint(0.42, 0.95, 0.9))),
                null, "2026-01-01T00:00:00Z");
        ModelManifest back = ModelManifest.read(new ByteArrayInputStream(m.toJson().getBytes(StandardCharsets.UTF_8)));
        assertEquals(m.version(), back.version());
        assertEquals(192, back.inputSize());
        assertArrayEquals(new int[] {16, 32}, back.architecture().widths());
        assertEquals(0.42, back.threshold());
        assertEquals(1.5, back.calibration().a());
        assertEquals(0.96, back.metrics().aurocCi95()[0]);
        assertTrue(back.isThresholdValidated(0.5));
        assertFalse(back.isThresholdValidated(0.9));
    }

    @Test
    void plattCalibration() {
        ModelManifest.Calibration c = new ModelManifest.Calibration("platt", 2.0, -1.0);
        assertEquals(0.5, c.apply(0.5), 1e-12);
        assertEquals(1 / (1 + Math.exp(-3.0)), c.apply(2.0), 1e-12);
        assertEquals(0.5, ModelManifest.Calibration.identity().apply(0), 1e-12);
    }

    @Test
    void paramsPrefix() {
        assertEquals("pneumonia-v1", PneumoniaModel.prefixOf("pneumonia-v1-0000.params"));
        assertEquals("m", PneumoniaModel.prefixOf("m.params"));
    }

    @Test
    void populationsByAgeAndTheDefaultMirroredAtTopLevel() throws Exception {
        ModelManifest.Calibration c = new ModelManifest.Calibration("platt", 1, 0);
        var pops = new java.util.LinkedHashMap<String, ModelManifest.Population>();
        pops.put("paediatric", new ModelManifest.Population("kids", 1, 5, c, 0.3, new double[] {0.2, 0.4}, null, null));
        pops.put("adult", new ModelManifest.Population("adults", 18, 150, new ModelManifest.Calibration("platt", 2, 1),
                0.6, new double[] {0.5, 0.7}, null, null));
        ModelManifest m = new ModelManifest("pneumonia", "pneumonia-v2",
                PneumoniaNet.describe(16, new int[] {16}, new int[] {1}, 0.2f, 1), "p.params", 224,
                new ModelManifest.Normalisation(0.5f, 0.25f), c, 0.5, new double[] {0, 1}, null, null, "now")
                .withPopulations(pops, "adult", new ModelManifest.Applicability("gate", 0.05, 0.4, null, null), null);
        ModelManifest back = ModelManifest.read(new ByteArrayInputStream(m.toJson().getBytes(StandardCharsets.UTF_8)));
        assertEquals("paediatric", back.populationFor(3));
        assertEquals("adult", back.populationFor(18));
        assertNull(back.populationFor(12), "6-17 is not validated");
        assertNull(back.populationFor(0));
        assertNull(back.populationFor(null));
        assertEquals("adult", back.defaultPopulation());
        assertEquals(0.6, back.threshold(), "top level mirrors the default population");
        assertEquals(2.0, back.calibration().a());
        assertTrue(back.population("paediatric").isThresholdValidated(0.35));
        assertFalse(back.population("paediatric").isThresholdValidated(0.45));
        assertEquals(0.4, back.applicability().threshold());
        assertEquals(1, new ModelManifest("n", "v1", null, "p", 1, null, c, 0.5, null, null, null, null).outputCount());
    }
}
