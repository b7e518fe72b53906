package io.alveolus.portal;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 12, item 4, for the portal: CSP without inline script, no framing, nosniff, exact redirect URI, logout. */
@QuarkusTest
class PortalHygieneTest {

    @Test
    void everyResponseCarriesTheSecurityHeaders() {
        for (Response r : List.of(given().get("/signed-out"), given().get("/portal.js"), given().get("/portal.css"),
                given().redirects().follow(false).get("/"), given().get("/q/health/live"),
                given().accept("application/json").get("/no/such/page"),
                given().redirects().follow(false).get("/studies/" + UUID.randomUUID() + "/image"))) {
            assertEquals("nosniff", r.header("X-Content-Type-Options"));
            assertEquals("DENY", r.header("X-Frame-Options"));
            assertEquals("no-referrer", r.header("Referrer-Policy"));
            String csp = r.header("Content-Security-Policy");
            assertTrue(csp != null && csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'")
                    && !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), csp);
        }
    }

    /** What the CSP forbids is not in any page: no inline script, no inline handler, no style attribute. */
    @Test
    void templatesHaveNoInlineScriptHandlersOrStyles() throws IOException {
        Pattern inlineScript = Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE);
        Pattern handler = Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE);
        Pattern style = Pattern.compile("<style|\\sstyle\\s*=|javascript:", Pattern.CASE_INSENSITIVE);
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/templates"))) {
            for (Path f : files.toList()) {
                String html = Files.readString(f);
                for (Pattern p : List.of(inlineScript, handler, style)) {
                    Matcher m = p.matcher(html);
                    assertFalse(m.find(), f + " has " + (m.hitEnd() ? "" : html.substring(m.start(), Math.min(html.length(), m.start() + 40))));
                }
            }
        }
        String js = given().get("/portal.js").then().statusCode(200).extract().asString();
        assertFalse(js.contains("eval(") || js.contains("new Function") || js.contains(".setAttribute('style'"), "portal.js");
    }

    @Test
    void theLoginAsksForTheOneExactCallback() {
        String location = given().redirects().follow(false).get("/studies/" + UUID.randomUUID())
                .then().statusCode(302).extract().header("Location");
        String redirect = URLDecoder.decode(location.replaceAll(".*[?&]redirect_uri=([^&]*).*", "$1"), StandardCharsets.UTF_8);
        assertTrue(redirect.matches("http://(127\\.0\\.0\\.1|localhost):\\d+/oidc/callback"), redirect);
    }

    /**
     * The dev realm accepts only the exact callbacks (stack/keycloak/alveolus-realm.json). Needs a Keycloak that has
     * imported the current realm file: stack/up.sh re-imports it when the file changes.
     */
    @Test
    void keycloakRefusesAnyOtherRedirectUri() {
        String auth = "http://127.0.0.1:18180/realms/alveolus/protocol/openid-connect/auth";
        for (String wrong : List.of("http://127.0.0.1:9999/oidc/callback", "http://127.0.0.1:8080/elsewhere",
                "http://localhost:18280/oidc/callback", "http://127.0.0.1:8080/oidc/callback/../x")) {
            int status = given().redirects().follow(false).queryParam("client_id", "alveolus-portal")
                    .queryParam("response_type", "code").queryParam("scope", "openid").queryParam("redirect_uri", wrong)
                    .get(auth).statusCode();
            assertEquals(400, status, "Keycloak accepted redirect_uri " + wrong);
        }
        for (String right : List.of("http://127.0.0.1:8080/oidc/callback", "http://127.0.0.1:18280/oidc/callback")) {
            given().redirects().follow(false).queryParam("client_id", "alveolus-portal").queryParam("response_type", "code")
                    .queryParam("scope", "openid").queryParam("redirect_uri", right).get(auth).then().statusCode(200);
        }
    }

    @Test
    void backChannelLogoutEndpointExists() {
        // Keycloak posts a signed logout token here; a request without one is refused, but the endpoint is there
        int status = given().redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("logout_token", "junk").post("/back-channel-logout").statusCode();
        assertNotEquals(404, status);
        assertTrue(status == 400 || status == 401, "junk logout token answered " + status);
    }

    @Test
    void longUrisAndOversizedBodiesAreProblems() {
        Response r = given().redirects().follow(false).get("/studies/" + "a".repeat(10_000));
        assertEquals(414, r.statusCode());
        assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
    }
}
