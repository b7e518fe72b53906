package io.alveolus.portal;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

@QuarkusTest
class PortalTest {

    @Test
    void anonymousVisitorIsSentToKeycloakLogin() {
        given().redirects().follow(false).get("/").then().statusCode(302)
                .header("Location", startsWith("http://127.0.0.1:18180/realms/alveolus/protocol/openid-connect/auth"));
    }

    @Test
    void readyAgainstKeycloak() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.status", org.hamcrest.Matchers.everyItem(equalTo("UP")));
    }
}
