package io.alveolus.interop.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.alveolus.interop.DecodedDicom;
import io.alveolus.interop.DicomImage;
import io.alveolus.interop.DicomRejected;
import java.awt.image.BufferedImage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzz target for the DICOM decoder ({@link DicomImage#decode}) used by ingest (upload and STOW-RS)
 * and the worker, issue 12.
 *
 * <p>Contract: for any bytes, {@code decode} returns a display-ready 8-bit image matching its header, or throws
 * {@link DicomRejected}. A finding is any other exception escaping, an input taking longer than the per-input timeout,
 * and a refusal that only hides a resource failure: {@code OUT_OF_RESOURCES} (the decoder caught an
 * OutOfMemoryError: the fuzzing JVM's heap is bounded, so this means an input can make the decoder allocate without
 * limit) or a refusal caused by a StackOverflowError (an input can exhaust the stack).
 *
 * <p>Plain {@code ./mvnw verify} runs this over the committed inputs in
 * {@code src/test/resources/io/alveolus/interop/fuzz/DicomDecoderFuzzTestInputs/decode/}; {@code .ci/fuzz.sh}
 * fuzzes it (profile {@code fuzz}).
 */
class DicomDecoderFuzzTest {

    @FuzzTest(maxDuration = "60s")
    @Timeout(value = 10, unit = TimeUnit.SECONDS) // per input (Jazzer's -timeout when fuzzing)
    void decode(byte[] input) {
        DecodedDicom decoded;
        try {
            decoded = DicomImage.decode(input);
        } catch (DicomRejected r) {
            assertNotNull(r.code());
            assertNotNull(r.reason());
            if (r.code() == DicomRejected.Code.OUT_OF_RESOURCES) {
                fail("decoder ran out of memory (bounded heap): " + r.reason(), r);
            }
            for (Throwable t = r.getCause(); t != null; t = t.getCause()) {
                if (t instanceof VirtualMachineError) {
                    fail("decoder refusal hides a " + t.getClass().getSimpleName() + ": " + r.reason(), r);
                }
            }
            return;
        }
        BufferedImage image = decoded.image();
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, image.getType(), "8-bit grey output");
        assertEquals(decoded.metadata().columns(), image.getWidth(), "width is Columns");
        assertEquals(decoded.metadata().rows(), image.getHeight(), "height is Rows");
        assertTrue((long) image.getWidth() * image.getHeight() <= DicomImage.MAX_PIXELS, "within the pixel limit");
    }
}
