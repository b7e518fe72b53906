package io.alveolus.common.testing;

import io.restassured.RestAssured;

import java.util.Base64;
import java.nio.charset.StandardCharsets;

/** Real tokens from the local stack's Keycloak, for tests in every module. */
public final class Tokens {
    public static final String KEYCLOAK = System.getProperty("alveolus.keycloak.url", "http://127.0.0.1:18180");
    public static final String REALM_URL = KEYCLOAK + "/realms/alveolus";
    public static final String PASSWORD = "alveolus";

    private Tokens() {
    }

    /** A user's access token through the dev-only password grant of the alveolus-cli client. */
    public static String user(String username) {
        return RestAssured.given().formParam("grant_type", "password").formParam("client_id", "alveolus-cli")
                .formParam("username", username).formParam("password", PASSWORD)
                .post(REALM_URL + "/protocol/openid-connect/token")
                .then().statusCode(200).extract().path("access_token");
    }

    /** A hospital's device service account token (client credentials). */
    public static String device(String tenant) {
        return RestAssured.given().formParam("grant_type", "client_credentials")
                .formParam("client_id", "device-" + tenant).formParam("client_secret", tenant + "-device-secret")
                .post(REALM_URL + "/protocol/openid-connect/token")
                .then().statusCode(200).extract().path("access_token");
    }

    /** The same token with one claim's value changed in the payload: the signature no longer matches. */
    public static String tamper(String token, String claim, String newValue) {
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String changed = payload.replaceFirst("\"" + claim + "\":\"[^\"]*\"", "\"" + claim + "\":\"" + newValue + "\"");
        if (changed.equals(payload)) {
            throw new IllegalArgumentException("claim " + claim + " not in token");
        }
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(changed.getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
    }
}
