package io.alveolus.results;

import io.alveolus.common.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;

/** Every way a token can be wrong, each from the real Keycloak. */
@QuarkusTest
class TokenValidationTest {
    static String password(String realmUrl, String client, String user) {
        return given().formParam("grant_type", "password").formParam("client_id", client)
                .formParam("username", user).formParam("password", Tokens.PASSWORD)
                .post(realmUrl + "/protocol/openid-connect/token").then().statusCode(200).extract().path("access_token");
    }

    void expect(String token, int status) {
        given().auth().oauth2(token).get("/api/analyses").then().statusCode(status);
    }

    @Test
    void validTokenWithTheRightRoleIsAccepted() {
        expect(Tokens.user("alice"), 200);
    }

    @Test
    void expiredTokenIs401() throws Exception {
        String token = password(Tokens.REALM_URL, "alveolus-cli-short", "alice"); // lives 2 s
        Thread.sleep(3500);
        expect(token, 401);
    }

    @Test
    void wrongIssuerIs401() {
        expect(password(Tokens.KEYCLOAK + "/realms/elsewhere", "alveolus-cli", "alice"), 401);
    }

    @Test
    void wrongAudienceIs401() {
        expect(password(Tokens.REALM_URL, "other-app", "alice"), 401);
    }

    @Test
    void tamperedSignatureIs401() {
        expect(Tokens.tamper(Tokens.user("alice"), "preferred_username", "rachel"), 401);
    }

    @Test
    void missingTenantClaimIs401() {
        expect(Tokens.user("ghost"), 401);
    }

    @Test
    void validTokenWithWrongRoleIs403() {
        expect(Tokens.user("adam"), 403);
        expect(Tokens.device("northside"), 403);
    }
}
