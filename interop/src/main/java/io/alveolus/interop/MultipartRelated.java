package io.alveolus.interop;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses {@code multipart/related} request bodies (RFC 2387 / RFC 2046), as sent to a DICOMweb STOW-RS endpoint:
 * {@code multipart/related; type="application/dicom"; boundary=...}. The whole body is in memory; the caller limits
 * its size. Stateless and thread-safe.
 */
public final class MultipartRelated {

    /** One body part: its bytes, its Content-Type (the multipart's {@code type} parameter when the part has none),
     *  and its headers with lower-case names. */
    public record Part(byte[] body, String contentType, Map<String, String> headers) {
        public Part {
            headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        }

        @Override
        public String toString() {
            return "Part[contentType=" + contentType + ", bytes=" + body.length + "]";
        }
    }

    /** The request body or its Content-Type is not a parseable multipart/related message (answer 400). */
    public static final class MalformedMultipartException extends Exception {
        public MalformedMultipartException(String message) {
            super(message);
        }
    }

    private MultipartRelated() {
    }

    /**
     * Splits a multipart/related body into its parts, in order.
     *
     * @param body               the request body
     * @param contentTypeHeader  the request's Content-Type header, e.g.
     *                           {@code multipart/related; type="application/dicom"; boundary=abc}
     * @throws MalformedMultipartException if the header is not multipart/related with a boundary, or the body has no
     *                                     part, or no closing delimiter
     */
    public static List<Part> parse(byte[] body, String contentTypeHeader) throws MalformedMultipartException {
        if (body == null) throw new MalformedMultipartException("no body");
        if (contentTypeHeader == null) throw new MalformedMultipartException("no Content-Type");
        Map<String, String> params = new LinkedHashMap<>();
        String mediaType = parseMediaType(contentTypeHeader, params);
        if (!mediaType.equals("multipart/related")) {
            throw new MalformedMultipartException("Content-Type is " + mediaType + ", expected multipart/related");
        }
        String boundary = params.get("boundary");
        if (boundary == null || boundary.isEmpty() || boundary.length() > 70) {
            throw new MalformedMultipartException("multipart/related without a valid boundary parameter");
        }
        String defaultType = params.get("type");

        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<Part> parts = new ArrayList<>();
        int pos = findDelimiter(body, delimiter, 0);
        if (pos < 0) throw new MalformedMultipartException("boundary not found in the body");
        while (true) {
            int after = pos + delimiter.length;
            if (startsWith(body, after, "--")) { // close delimiter
                if (parts.isEmpty()) throw new MalformedMultipartException("multipart body without parts");
                return parts;
            }
            int lineEnd = indexOf(body, new byte[] {'\n'}, after);
            if (lineEnd < 0) throw new MalformedMultipartException("truncated multipart body");
            int partStart = lineEnd + 1;
            int next = findDelimiter(body, delimiter, partStart);
            if (next < 0) throw new MalformedMultipartException("no closing boundary delimiter");
            // the CRLF (or LF) before the delimiter belongs to the delimiter
            int partEnd = next;
            if (partEnd > partStart && body[partEnd - 1] == '\n') partEnd--;
            if (partEnd > partStart && body[partEnd - 1] == '\r') partEnd--;
            parts.add(part(body, partStart, partEnd, defaultType));
            pos = next;
        }
    }

    private static Part part(byte[] body, int start, int end, String defaultType) throws MalformedMultipartException {
        Map<String, String> headers = new LinkedHashMap<>();
        int i = start;
        while (true) {
            int eol = indexOf(body, new byte[] {'\n'}, i);
            if (eol < 0 || eol >= end) {
                if (i == end) break; // part without body
                throw new MalformedMultipartException("part headers not terminated by an empty line");
            }
            int lineEnd = eol > i && body[eol - 1] == '\r' ? eol - 1 : eol;
            if (lineEnd == i) { // empty line: headers end
                i = eol + 1;
                break;
            }
            String line = new String(body, i, lineEnd - i, StandardCharsets.ISO_8859_1);
            int colon = line.indexOf(':');
            if (colon <= 0) throw new MalformedMultipartException("malformed part header line");
            headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
            i = eol + 1;
        }
        String contentType = headers.get("content-type");
        if (contentType == null) contentType = defaultType != null ? defaultType : "text/plain";
        return new Part(Arrays.copyOfRange(body, Math.min(i, end), end), contentType, headers);
    }

    /** Media type, lower case, without parameters; parameters (names lower case, values unquoted) into params. */
    static String parseMediaType(String header, Map<String, String> params) {
        String[] tokens = splitParams(header);
        for (int k = 1; k < tokens.length; k++) {
            String t = tokens[k];
            int eq = t.indexOf('=');
            if (eq <= 0) continue;
            String name = t.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = t.substring(eq + 1).strip();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
            }
            params.put(name, value);
        }
        return tokens[0].strip().toLowerCase(Locale.ROOT);
    }

    /** Splits on ';' outside quotes. */
    private static String[] splitParams(String header) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c == '"' && (i == 0 || header.charAt(i - 1) != '\\')) quoted = !quoted;
            if (c == ';' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out.toArray(String[]::new);
    }

    /**
     * A delimiter only counts at the start of the body or right after a line break, so only line starts are tried:
     * a comparison stops at the latest at the next line break (the delimiter holds none), so the search is linear
     * in the body. (Trying every offset cost 2.3 s of CPU for a 30 MB body of near-delimiters.)
     */
    private static int findDelimiter(byte[] body, byte[] delimiter, int from) {
        int i = Math.max(0, from);
        if (i > 0 && body[i - 1] != '\n') {
            i = nextLine(body, i);
        }
        while (i >= 0 && i <= body.length - delimiter.length) {
            if (matches(body, i, delimiter)) return i;
            i = nextLine(body, i);
        }
        return -1;
    }

    /** Start of the line after the one {@code i} is in, -1 if none. */
    private static int nextLine(byte[] body, int i) {
        for (int k = i; k < body.length; k++) if (body[k] == '\n') return k + 1;
        return -1;
    }

    private static boolean matches(byte[] body, int at, byte[] needle) {
        for (int k = 0; k < needle.length; k++) if (body[at + k] != needle[k]) return false;
        return true;
    }

    private static boolean startsWith(byte[] body, int at, String s) {
        if (at + s.length() > body.length) return false;
        for (int k = 0; k < s.length(); k++) if (body[at + k] != s.charAt(k)) return false;
        return true;
    }

    private static int indexOf(byte[] body, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= body.length - needle.length; i++) {
            for (int k = 0; k < needle.length; k++) if (body[i + k] != needle[k]) continue outer;
            return i;
        }
        return -1;
    }
}
