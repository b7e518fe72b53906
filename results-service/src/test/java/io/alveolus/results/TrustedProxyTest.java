package io.alveolus.results;

import io.alveolus.common.testing.Tokens;
import io.alveolus.persistence.AuditEvent;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * With the ingress configured as a trusted proxy (here: the loopback the test calls from), the audit trail records
 * the client address it forwards; HttpHygieneTest shows the same header ignored from a peer that is not trusted.
 */
@QuarkusTest
@TestProfile(TrustedProxyTest.BehindTheIngress.class)
class TrustedProxyTest {
    public static class BehindTheIngress implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.proxy.proxy-address-forwarding", "true",
                    "quarkus.http.proxy.trusted-proxies", "127.0.0.1");
        }
    }

    @Test
    void forwardedForFromATrustedProxyIsTheAuditSource() {
        String id = UUID.randomUUID().toString();
        given().auth().oauth2(Tokens.user("rachel")).header("X-Forwarded-For", "203.0.113.9")
                .get("/api/analyses/" + id).then().statusCode(404);
        AuditEvent line = QuarkusTransaction.requiringNew().call(() -> AuditEvent.<AuditEvent>find(
                "actor = ?1 and resourceId = ?2", "rachel", id).firstResult());
        assertEquals("203.0.113.9", line.source);
    }
}
