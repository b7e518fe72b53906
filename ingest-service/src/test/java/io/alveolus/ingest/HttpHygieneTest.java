package io.alveolus.ingest;

import io.alveolus.common.testing.RawHttp;
import io.alveolus.common.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, item 4, for uploads: what the framework refuses before the resource (too many form fields, a broken
 * multipart body, a declared 200 MB body, a long URI, junk bearer tokens) answers problem+json with a 4xx, never a
 * 500 and never a body without a type; and every answer carries the security headers.
 */
@QuarkusTest
class HttpHygieneTest {
    String device;

    @BeforeEach
    void token() {
        device = Tokens.device("st-marys");
    }

    static void problem(Response r, int low, int high, String what) {
        assertTrue(r.statusCode() >= low && r.statusCode() <= high, what + ": " + r.statusCode() + " " + r.asString());
        assertTrue(r.contentType().startsWith("application/problem+json"), what + ": " + r.contentType() + " " + r.asString());
        String detail = r.path("detail");
        assertFalse(detail == null || detail.matches("(?s).*(Exception|Error|java\\.|io\\.|com\\.).*"),
                what + " names an internal class: " + detail);
        assertEquals("nosniff", r.header("X-Content-Type-Options"), what);
    }

    Response multipart(String contentType, String body) {
        return given().auth().oauth2(device).contentType(contentType).body(body.getBytes(StandardCharsets.ISO_8859_1))
                .post("/api/images");
    }

    @Test
    void brokenMultipartBodiesAre4xxProblems() {
        String part = "--B\r\nContent-Disposition: form-data; name=\"studyId\"\r\n\r\nS1\r\n"
                + "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.png\"\r\nContent-Type: image/png\r\n\r\n"
                + "\u0089PNG\r\n\u001a\n0000";
        problem(multipart("multipart/form-data; boundary=WRONG", part + "\r\n--B--\r\n"), 400, 422, "wrong boundary");
        problem(multipart("multipart/form-data; boundary=B", part), 400, 422, "truncated");
        problem(multipart("multipart/form-data; boundary=B", ""), 400, 422, "empty");
        problem(multipart("multipart/form-data", part + "\r\n--B--\r\n"), 400, 422, "no boundary");
    }

    /** Found by UploadFormFuzzTest: the framework throws on a text part's unknown charset (a 500 before). */
    @Test
    void aFormFieldWithAnUnknownCharsetIsA400Problem() {
        String body = "--B\r\nContent-Disposition: form-data; name=\"studyId\"\r\n"
                + "Content-Type: text/plain; charset=ISO-8858-1\r\n\r\nS1\r\n--B--\r\n";
        problem(multipart("multipart/form-data; boundary=B", body), 400, 400, "unknown charset");
    }

    @Test
    void moreThanAThousandFormFieldsIsA4xxProblem() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 1500; i++) {
            many.append("--B\r\nContent-Disposition: form-data; name=\"f").append(i).append("\"\r\n\r\nv\r\n");
        }
        many.append("--B--\r\n");
        problem(multipart("multipart/form-data; boundary=B", many.toString()), 400, 413, "1500 multipart fields");
        StringBuilder form = new StringBuilder("a=1");
        for (int i = 0; i < 1500; i++) {
            form.append("&f").append(i).append("=v");
        }
        problem(given().auth().oauth2(device).contentType("application/x-www-form-urlencoded").body(form.toString())
                .post("/api/images"), 400, 415, "1500 urlencoded fields");
    }

    @Test
    void declaredOversizedBodyAndLongUriAreProblems() throws Exception {
        String answer = RawHttp.send(RestAssured.port, "POST /api/images HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + device
                + "\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: 209715200\r\n\r\n--B\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        assertTrue(answer.contains("application/problem+json") && answer.contains("\"status\":413"), answer);
        problem(given().auth().oauth2(device).get("/api/images/" + "a".repeat(10_000)), 414, 414, "long URI");
    }

    @Test
    void junkBearerTokenIs401() {
        for (String junk : new String[]{"not-a-jwt", "a.b.c", "x".repeat(4000)}) {
            problem(given().auth().oauth2(junk).multiPart("studyId", "S").post("/api/images"), 401, 401, "junk bearer");
        }
    }
}
