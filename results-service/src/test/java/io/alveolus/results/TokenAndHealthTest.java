package io.alveolus.results;

import io.alveolus.common.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;

/** Against the real stack: Keycloak tokens, PostgreSQL, S3. */
@QuarkusTest
class TokenAndHealthTest {

    @Test
    void readyAgainstRealDependencies() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.name", hasItems("object-store", "identity-provider"))
                .body("checks.status", org.hamcrest.Matchers.everyItem(equalTo("UP")));
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }

    @Test
    void keycloakTokenIsAcceptedAndCarriesTheTenant() {
        given().auth().oauth2(Tokens.user("alice")).get("/api/me").then().statusCode(200)
                .body("tenant", equalTo("st-marys")).body("username", equalTo("alice"))
                .body("roles", hasItem("physician"));
        given().auth().oauth2(Tokens.user("bob")).get("/api/me").then().statusCode(200)
                .body("tenant", equalTo("northside"));
    }

    @Test
    void tamperedTokenIsRejected() {
        String forged = Tokens.tamper(Tokens.user("bob"), "tenant", "st-marys");
        given().auth().oauth2(forged).get("/api/me").then().statusCode(401);
        given().auth().oauth2(forged).get("/api/analyses").then().statusCode(401);
    }

    @Test
    void noTokenIs401WithProblemJson() {
        given().get("/api/analyses").then().statusCode(401);
    }

    @Test
    void wrongRoleIs403() {
        given().auth().oauth2(Tokens.device("st-marys")).get("/api/analyses").then().statusCode(403)
                .contentType("application/problem+json").body("status", equalTo(403));
    }
}
