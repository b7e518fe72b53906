package io.alveolus.worker;

import io.alveolus.worker.service.ModelRunner;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bench's stub forward pass (bench/host-path.sh): no model output, placeholders that say so in their version,
 * and the same host side (decode, prepare) as a real worker.
 */
class StubForwardTest {

    @Test
    void stubResultsArePlaceholdersMarkedAsSuch() {
        System.setProperty("ai.djl.offline", "true");
        ModelRunner real = new ModelRunner(Optional.empty(), false);
        ModelRunner stub = new ModelRunner(Optional.empty(), true);
        assertFalse(real.version().contains("stub"));
        assertEquals(real.version() + "+stub-forward", stub.version());
        BufferedImage film = new BufferedImage(256, 256, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                film.getRaster().setSample(x, y, 0, (x * 7 + y * 3) % 256);
            }
        }
        var op = stub.operatingPoint(40, p -> null);
        var inputs = List.of(stub.prepare(film), stub.prepare(film));
        var placeholders = stub.predict(inputs, op);
        var read = real.predict(inputs, op);
        assertEquals(2, placeholders.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(0.0, placeholders.get(i).probability());
            assertFalse(placeholders.get(i).positive());
            assertEquals(read.get(i).camGrid().length, placeholders.get(i).camGrid().length, "the real grid's shape");
            assertEquals(op.population(), placeholders.get(i).population());
        }
        assertTrue(read.get(0).logit() != 0.0 || read.get(0).camGrid()[0] != 0f, "the real one ran the network");
    }
}
