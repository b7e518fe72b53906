package io.alveolus.portal;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The portal against the real local Keycloak and Kafka: nothing is served to a visitor without a session. */
@QuarkusTest
class PortalTest {
    static final String LOGIN = "http://127.0.0.1:18180/realms/alveolus/protocol/openid-connect/auth";

    @Test
    void anonymousVisitorIsSentToKeycloakLogin() {
        given().redirects().follow(false).get("/").then().statusCode(302)
                .header("Location", startsWith(LOGIN))
                .header("Location", containsString("client_id=alveolus-portal"))
                .header("Location", containsString("response_type=code"));
    }

    @Test
    void everyPageNeedsALogin() {
        for (String path : new String[]{"/studies/" + UUID.randomUUID(), "/studies/" + UUID.randomUUID() + "/image",
                "/studies/" + UUID.randomUUID() + "/heatmap", "/upload", "/?view=triage&flagged=true", "/monitoring",
                "/monitoring?hours=24", "/deliveries"}) {
            given().redirects().follow(false).get(path).then().statusCode(302).header("Location", startsWith(LOGIN));
        }
    }

    @Test
    void jsonEndpointsAnswerUnauthorisedOrRedirectNeverAnError() {
        for (String path : new String[]{"/api/worklist", "/api/events", "/api/worklist?status=done&page=2"}) {
            assertNoSession(given().redirects().follow(false).accept("application/json").get(path), path);
        }
        assertNoSession(given().redirects().follow(false).contentType("application/json").header("X-Alveolus-Csrf", "1")
                .body("{\"label\":\"PNEUMONIA\"}").post("/api/studies/" + UUID.randomUUID() + "/review"), "review");
        assertNoSession(given().redirects().follow(false).multiPart("studyId", "X").multiPart("file", "x.png",
                new byte[]{1, 2, 3}, "image/png").post("/api/uploads"), "upload");
    }

    private static void assertNoSession(Response r, String what) {
        int s = r.statusCode();
        assertTrue(s == 401 || s == 302, what + " without a session answered " + s);
        if (s == 302) {
            assertTrue(r.header("Location").startsWith(LOGIN), what + " redirected elsewhere: " + r.header("Location"));
        }
    }

    @Test
    void stylesAndScriptAndSignedOutPageArePublic() {
        given().get("/portal.js").then().statusCode(200).body(containsString("X-Alveolus-Csrf"));
        given().get("/portal.css").then().statusCode(200);
        given().get("/signed-out").then().statusCode(200).body(containsString("signed out"))
                .body(containsString("Decision support, not a diagnosis"))
                .body(containsString("CC BY 4.0"));
    }

    @Test
    void readyAgainstKeycloakAndKafka() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.status", everyItem(equalTo("UP")));
    }
}
