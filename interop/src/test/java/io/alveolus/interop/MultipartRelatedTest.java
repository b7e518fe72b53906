package io.alveolus.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MultipartRelatedTest {

    private static byte[] binary(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void threePartStowBody() throws Exception {
        String boundary = "DICOMwebBoundary-7d3a";
        byte[] one = binary(5000, 1);
        byte[] two = binary(3, 2);
        byte[] three = "\r\n--not-the-boundary\r\n".getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        write(body, "preamble to ignore\r\n");
        write(body, "--" + boundary + "\r\nContent-Type: application/dicom\r\nContent-Length: 5000\r\n\r\n");
        body.writeBytes(one);
        write(body, "\r\n--" + boundary + "\r\n\r\n"); // no Content-Type: the multipart's type parameter applies
        body.writeBytes(two);
        write(body, "\r\n--" + boundary + "\r\ncontent-type: application/octet-stream\r\n\r\n");
        body.writeBytes(three);
        write(body, "\r\n--" + boundary + "--\r\nepilogue");

        List<MultipartRelated.Part> parts = MultipartRelated.parse(body.toByteArray(),
                "Multipart/Related; type=\"application/dicom\"; boundary=\"" + boundary + "\"");
        assertEquals(3, parts.size());
        assertArrayEquals(one, parts.get(0).body());
        assertEquals("application/dicom", parts.get(0).contentType());
        assertEquals("5000", parts.get(0).headers().get("content-length"));
        assertArrayEquals(two, parts.get(1).body());
        assertEquals("application/dicom", parts.get(1).contentType());
        assertArrayEquals(three, parts.get(2).body());
        assertEquals("application/octet-stream", parts.get(2).contentType());
    }

    @Test
    void unquotedBoundaryAndBareLineFeeds() throws Exception {
        String body = "--b1\nContent-Type: application/dicom\n\nAAA\n--b1\nContent-Type: application/dicom\n\nBB\n--b1--\n";
        List<MultipartRelated.Part> parts = MultipartRelated.parse(body.getBytes(StandardCharsets.ISO_8859_1),
                "multipart/related; boundary=b1; type=application/dicom");
        assertEquals(2, parts.size());
        assertEquals("AAA", new String(parts.get(0).body(), StandardCharsets.ISO_8859_1));
        assertEquals("BB", new String(parts.get(1).body(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void malformedBodiesAreRejected() {
        byte[] ok = "--b\r\n\r\nx\r\n--b--".getBytes(StandardCharsets.ISO_8859_1);
        assertThrows(MultipartRelated.MalformedMultipartException.class,
                () -> MultipartRelated.parse(ok, "application/dicom"));
        assertThrows(MultipartRelated.MalformedMultipartException.class,
                () -> MultipartRelated.parse(ok, "multipart/related; type=\"application/dicom\""));
        assertThrows(MultipartRelated.MalformedMultipartException.class,
                () -> MultipartRelated.parse(ok, null));
        assertThrows(MultipartRelated.MalformedMultipartException.class, () -> MultipartRelated.parse(
                "--b\r\n\r\nx".getBytes(StandardCharsets.ISO_8859_1), "multipart/related; boundary=b"));
        assertThrows(MultipartRelated.MalformedMultipartException.class, () -> MultipartRelated.parse(
                "no boundary here".getBytes(StandardCharsets.ISO_8859_1), "multipart/related; boundary=b"));
        assertThrows(MultipartRelated.MalformedMultipartException.class, () -> MultipartRelated.parse(
                "--b--\r\n".getBytes(StandardCharsets.ISO_8859_1), "multipart/related; boundary=b"));
    }

    /** Delimiters count only at line starts: ones in the middle of a line (and near-misses) are part content. */
    @Test
    void delimitersInsideALineArePartContent() throws Exception {
        String b = "-".repeat(60);
        String content = "x" + ("--" + b).repeat(50) + "\nx--" + b + "y\n--" + b.substring(1) + "z";
        String body = "--" + b + "\r\nContent-Type: application/dicom\r\n\r\n" + content + "\r\n--" + b + "--\r\n";
        var parts = MultipartRelated.parse(body.getBytes(StandardCharsets.ISO_8859_1),
                "multipart/related; type=\"application/dicom\"; boundary=" + b);
        assertEquals(1, parts.size());
        assertEquals(content, new String(parts.get(0).body(), StandardCharsets.ISO_8859_1));
    }
}
