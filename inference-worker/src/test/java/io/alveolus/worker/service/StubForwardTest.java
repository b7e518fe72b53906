package io.alveolus.worker.service;

import io.alveolus.model.PneumoniaModel;
import io.alveolus.model.Prediction;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bench's stub forward pass (bench/host-path.sh): placeholders that say so in their version and have the grid
 * shape a real pass gives. Engine-free on purpose: this JVM's Quarkus tests hold libtorch in their class loader.
 */
class StubForwardTest {

    @Test
    void stubResultsArePlaceholdersMarkedAsSuch() {
        assertEquals("pneumonia-v3", LoadedModel.versionOf("pneumonia-v3", false));
        assertEquals("pneumonia-v3+stub-forward", LoadedModel.versionOf("pneumonia-v3", true));
        var op = new LoadedModel.OperatingPoint("adult", 0.24);
        var inputs = List.of(new PneumoniaModel.Input(new float[224 * 224], 0.5),
                new PneumoniaModel.Input(new float[224 * 224], 0.7));
        List<Prediction> ps = LoadedModel.placeholders(inputs, op, 224);
        assertEquals(2, ps.size());
        for (Prediction p : ps) {
            assertEquals(0.0, p.probability());
            assertFalse(p.positive());
            assertTrue(p.applicable());
            assertEquals(0.24, p.threshold());
            assertEquals("adult", p.population());
            assertEquals(7, p.camWidth(), "224 / 32, the real network's grid");
            assertEquals(49, p.camGrid().length);
            assertEquals(2, p.batchSize());
        }
    }
}
