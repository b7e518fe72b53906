package io.alveolus.interop.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.alveolus.interop.MultipartRelated;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzz target for the STOW-RS body parser ({@link MultipartRelated#parse}), issue 12.
 *
 * <p>Input format (also of the committed inputs): the request's Content-Type header up to the first line feed, then
 * the request body. Contract: {@code parse} returns at least one part, each part's body a slice of the request body
 * and a content type, or throws {@link MultipartRelated.MalformedMultipartException}; anything else escaping, or an
 * input slower than the per-input timeout, is a finding.
 *
 * <p>Plain {@code ./mvnw verify} runs this over the committed inputs in
 * {@code src/test/resources/io/alveolus/interop/fuzz/MultipartRelatedFuzzTestInputs/parse/}; {@code .ci/fuzz.sh}
 * fuzzes it (profile {@code fuzz}).
 */
class MultipartRelatedFuzzTest {

    @FuzzTest(maxDuration = "60s")
    @Timeout(value = 10, unit = TimeUnit.SECONDS) // per input (Jazzer's -timeout when fuzzing)
    void parse(byte[] input) {
        int nl = indexOf(input, (byte) '\n');
        String contentType = nl < 0 ? null : new String(input, 0, nl, StandardCharsets.ISO_8859_1);
        byte[] body = nl < 0 ? input : Arrays.copyOfRange(input, nl + 1, input.length);
        List<MultipartRelated.Part> parts;
        try {
            parts = MultipartRelated.parse(body, contentType);
        } catch (MultipartRelated.MalformedMultipartException expected) {
            assertNotNull(expected.getMessage(), "a refusal says why");
            return;
        }
        assertFalse(parts.isEmpty(), "a parsed body has at least one part");
        long total = 0;
        for (MultipartRelated.Part p : parts) {
            assertNotNull(p.body());
            assertNotNull(p.contentType(), "every part has a content type");
            assertNotNull(p.headers());
            total += p.body().length;
        }
        assertTrue(total <= body.length, "parts are slices of the body: " + total + " > " + body.length);
    }

    private static int indexOf(byte[] b, byte x) {
        for (int i = 0; i < b.length; i++) if (b[i] == x) return i;
        return -1;
    }
}
