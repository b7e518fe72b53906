package io.alveolus.ingest.rest;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.alveolus.common.events.Priority;
import io.alveolus.common.problem.ProblemException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jboss.resteasy.reactive.common.headers.HeaderUtil;
import org.jboss.resteasy.reactive.common.util.CaseInsensitiveMap;
import org.jboss.resteasy.reactive.common.util.MediaTypeHelper;
import org.jboss.resteasy.reactive.server.core.multipart.FormData;
import org.jboss.resteasy.reactive.server.core.multipart.MultipartParser;
import org.jboss.resteasy.reactive.server.multipart.FormValue;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzz target for the upload form of {@code POST /api/images} (issue 12).
 *
 * <p><b>What is fuzzed, and why.</b> {@link ImageResource} does not parse multipart/form-data itself: Quarkus REST
 * does, before the resource method runs (FormBodyHandler → MultiPartParserDefinition → {@link MultipartParser} into
 * {@link FormData}), and the resource gets its {@code @RestForm} fields from that. Driving the real endpoint in a
 * fuzzing loop would need the Quarkus application with its database, broker, object store and identity provider
 * (seconds per input and shared state), so this target drives the same framework classes directly, configured the way
 * FormBodyHandler configures them for ingest (max 1000 parameters, quarkus.http.limits.max-form-attribute-size 24M,
 * max-body-size 100M, UTF-8 default charset, {@code file} a file field), with the same field assembly as
 * MultiPartParserDefinition's upload handler (in memory instead of temporary files) and the same extraction as
 * {@code @RestForm} (first value of a name; a FileUpload only from a file item); then it applies
 * ImageResource's own interpretation of the fields (file required, {@link ImageResource#ageYears},
 * {@link Priority#parse}).
 *
 * <p>Input format (also of the committed inputs): the request's Content-Type header up to the first line feed, then
 * the body.
 *
 * <p>Contract. Allowed outcomes: the fields are accepted; our code refuses them with a 4xx {@link ProblemException};
 * or the framework refuses the body while decoding it: a 4xx {@link WebApplicationException} (413), an
 * {@link IOException}, or a RuntimeException raised by its multipart classes (MalformedMessageException for a broken
 * body, FormData's "Param limit of 1000 was exceeded", a RuntimeException wrapping UnsupportedEncodingException for a
 * text part in an unknown charset, IllegalArgumentException for a part's malformed Content-Type...). Those must be
 * answered 400/413 problem+json, not 500: item 4's classification of failures raised while the framework decodes a
 * form or multipart body does that, and its HTTP-level tests check it (on a build without it they are 500s: the
 * committed input found-26b82ab6-* is one). A finding is anything else: an exception of our interpretation of the
 * fields other than a 4xx ProblemException, an Error (OutOfMemoryError under the fuzzing JVM's bounded heap,
 * StackOverflowError) from either, or an input slower than the per-input timeout.
 *
 * <p>Plain {@code ./mvnw verify} runs this over the committed inputs in
 * {@code src/test/resources/io/alveolus/ingest/rest/UploadFormFuzzTestInputs/upload/}; {@code .ci/fuzz.sh} fuzzes
 * it (profile {@code fuzz}).
 */
class UploadFormFuzzTest {
    /** As FormBodyHandler sets them from ingest's configuration (application.properties and Quarkus defaults). */
    static final int MAX_PARAMETERS = 1000;
    static final long MAX_ATTRIBUTE_SIZE = 24L * 1024 * 1024;
    static final long MAX_ENTITY_SIZE = 100L * 1024 * 1024;
    static final String DEFAULT_CHARSET = StandardCharsets.UTF_8.displayName();
    /** The resource's FileUpload parameters (a HashSet as the build's: a part without a name looks up null). */
    static final Set<String> FILE_FORM_NAMES = new HashSet<>(Set.of("file"));

    @FuzzTest(maxDuration = "60s")
    @Timeout(value = 10, unit = TimeUnit.SECONDS) // per input (Jazzer's -timeout when fuzzing)
    void upload(byte[] input) {
        int nl = indexOf(input, (byte) '\n');
        String contentType = nl < 0 ? null : new String(input, 0, nl, StandardCharsets.ISO_8859_1);
        byte[] body = nl < 0 ? input : Arrays.copyOfRange(input, nl + 1, input.length);

        FormData form;
        try {
            form = parse(contentType, body);
        } catch (WebApplicationException tooLarge) {
            int status = tooLarge.getResponse().getStatus();
            assertTrue(status >= 400 && status < 500, "framework refusal is a client error: " + status);
            return;
        } catch (IOException | RuntimeException refused) {
            // The framework refused the body while decoding it (see the class comment): the service answers 400.
            return;
        }
        try {
            interpret(form);
        } catch (ProblemException refused) {
            assertTrue(refused.status() >= 400 && refused.status() < 500, "our refusal is a client error: "
                    + refused.status());
            assertNotNull(refused.getMessage());
        }
    }

    /** ImageResource.upload's reading of the fields, up to handing them to IngestService. */
    static void interpret(FormData form) {
        FormValue file = firstFile(form, "file");
        if (file == null) {
            throw ProblemException.badRequest("a 'file' part with the image is required");
        }
        assertNotNull(file.getFileItem());
        String priority = string(form, "priority");
        String age = string(form, "patientAge");
        string(form, "studyId");
        string(form, "patientRef");
        string(form, "referringPhysician");
        Integer years = ImageResource.ageYears(age);
        assertTrue(years == null || (years >= 0 && years <= io.alveolus.interop.PatientAge.MAX_YEARS), "age " + years);
        try {
            Priority p = Priority.parse(priority);
            assertTrue(priority == null || priority.isEmpty() || p.name().equalsIgnoreCase(priority),
                    "a priority is exactly its name: " + priority);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("priority must be ROUTINE or URGENT"); // as IngestService.priority
        }
    }

    /** As {@code @RestForm FileUpload}: the first value of the name that is a file item. */
    static FormValue firstFile(FormData form, String name) {
        if (form == null || form.get(name) == null) return null;
        for (FormValue v : form.get(name)) {
            if (v.isFileItem()) return v;
        }
        return null;
    }

    /** As {@code @RestForm String}: the first value of the name; a file item's bytes as a string. */
    static String string(FormData form, String name) {
        if (form == null) return null;
        FormValue v = form.getFirst(name);
        if (v == null) return null;
        if (v.isFileItem()) {
            try {
                return new String(v.getFileItem().getInputStream().readAllBytes());
            } catch (IOException e) {
                throw new IllegalStateException(e); // in memory: cannot happen
            }
        }
        return v.getValue();
    }

    /**
     * The framework's parsing of the body: null when the request is not multipart/form-data with a boundary (the
     * framework then leaves the form empty).
     */
    static FormData parse(String contentType, byte[] body) throws IOException {
        if (contentType == null || !contentType.startsWith("multipart/form-data")) return null;
        String boundary = HeaderUtil.extractQuotedValueFromHeader(contentType, "boundary");
        if (boundary == null) return null;
        String charset = DEFAULT_CHARSET;
        String requested = HeaderUtil.extractQuotedValueFromHeader(contentType, "charset");
        if (requested != null) charset = requested;
        Handler handler = new Handler();
        MultipartParser.ParseState parser = MultipartParser.beginParse(handler,
                boundary.getBytes(StandardCharsets.US_ASCII), charset);
        // parseBlocking: 1 KiB reads
        for (int off = 0; off < body.length; off += 1024) {
            parser.parse(ByteBuffer.wrap(body, off, Math.min(1024, body.length - off)));
        }
        if (!parser.isComplete()) {
            throw new IOException("Connection terminated parsing multipart request");
        }
        return handler.data;
    }

    /** MultiPartParserDefinition's upload handler with file threshold 0, in memory instead of temporary files. */
    static final class Handler implements MultipartParser.PartHandler {
        final FormData data = new FormData(MAX_PARAMETERS);
        private final ByteArrayOutputStream content = new ByteArrayOutputStream();
        private CaseInsensitiveMap<String> headers;
        private String name;
        private String fileName;
        private boolean file;
        private long entitySize;

        @Override
        public void beginPart(CaseInsensitiveMap<String> partHeaders) {
            headers = partHeaders;
            file = false;
            content.reset();
            String disposition = partHeaders.getFirst(HttpHeaders.CONTENT_DISPOSITION);
            if (disposition != null && disposition.startsWith("form-data")) {
                name = HeaderUtil.extractQuotedValueFromHeader(disposition, "name");
                fileName = HeaderUtil.extractQuotedValueFromHeaderWithEncoding(disposition, "filename");
                file = fileName != null || FILE_FORM_NAMES.contains(name);
            }
        }

        @Override
        public void data(ByteBuffer buffer) throws IOException {
            entitySize += buffer.remaining();
            if (entitySize > MAX_ENTITY_SIZE) {
                throw new WebApplicationException(Response.Status.REQUEST_ENTITY_TOO_LARGE);
            }
            while (buffer.hasRemaining()) content.write(buffer.get());
            if (!file && content.size() > MAX_ATTRIBUTE_SIZE) {
                throw new WebApplicationException(Response.Status.REQUEST_ENTITY_TOO_LARGE);
            }
        }

        @Override
        public void endPart() {
            byte[] bytes = content.toByteArray();
            content.reset();
            if (file || fileName != null) {
                data.add(name, bytes, fileName, headers);
                return;
            }
            String type = headers.getFirst(HttpHeaders.CONTENT_TYPE);
            if (type == null || type.isEmpty() || MediaTypeHelper.isTextLike(MediaType.valueOf(type))) {
                String charset = DEFAULT_CHARSET;
                String cs = type != null ? HeaderUtil.extractQuotedValueFromHeader(type, "charset") : null;
                if (cs != null) charset = cs;
                try {
                    data.add(name, new String(bytes, charset), charset, headers);
                } catch (UnsupportedEncodingException e) {
                    throw new RuntimeException(e); // as the framework's handler
                }
            } else {
                data.add(name, bytes, null, headers);
            }
        }
    }

    private static int indexOf(byte[] b, byte x) {
        for (int i = 0; i < b.length; i++) if (b[i] == x) return i;
        return -1;
    }
}
