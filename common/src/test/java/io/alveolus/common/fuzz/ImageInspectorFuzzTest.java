package io.alveolus.common.fuzz;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.alveolus.common.imaging.ImageFormat;
import io.alveolus.common.imaging.ImageInspector;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzz target for ingest's PNG/JPEG check ({@link ImageInspector#inspect}), issue 12.
 *
 * <p>Contract: for any bytes, {@code inspect} either returns an inspection within the accepted limits or throws
 * {@link ImageInspector.Rejected}. Anything else escaping (a RuntimeException the inspector did not turn into a
 * refusal, OutOfMemoryError under the fuzzing JVM's bounded heap, StackOverflowError) or an input taking longer than
 * the per-input timeout is a finding.
 *
 * <p>Plain {@code ./mvnw verify} runs this over the committed inputs in
 * {@code src/test/resources/io/alveolus/common/fuzz/ImageInspectorFuzzTestInputs/inspect/} (seeds made from the
 * shared X-rays, and every crashing input found so far); {@code .ci/fuzz.sh} fuzzes it (profile {@code fuzz}).
 */
class ImageInspectorFuzzTest {

    @FuzzTest(maxDuration = "60s")
    @Timeout(value = 10, unit = TimeUnit.SECONDS) // per input (Jazzer's -timeout when fuzzing)
    void inspect(byte[] input) {
        ImageInspector.Inspection inspection;
        try {
            inspection = ImageInspector.inspect(input);
        } catch (ImageInspector.Rejected expected) {
            assertNotNull(expected.getMessage(), "a refusal says why");
            return;
        }
        assertNotNull(inspection.format());
        assertTrue(inspection.format() == ImageFormat.PNG || inspection.format() == ImageFormat.JPEG,
                "only PNG/JPEG pass the inspector: " + inspection.format());
        assertTrue(ImageFormat.sniff(input).orElse(null) == inspection.format(), "format is the sniffed one");
        int w = inspection.width();
        int h = inspection.height();
        assertTrue(w >= ImageInspector.MIN_SIDE && h >= ImageInspector.MIN_SIDE
                && w <= ImageInspector.MAX_SIDE && h <= ImageInspector.MAX_SIDE
                && (long) w * h <= ImageInspector.MAX_PIXELS, "accepted dimensions within limits: " + w + "x" + h);
    }
}
