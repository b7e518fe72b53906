package io.alveolus.common.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** Ready only while Keycloak serves the realm's discovery document (tokens cannot be checked otherwise). */
@Readiness
@ApplicationScoped
public class IdentityProviderHealthCheck implements HealthCheck {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @ConfigProperty(name = "quarkus.oidc.auth-server-url")
    Optional<String> authServerUrl;

    @Override
    public HealthCheckResponse call() {
        if (authServerUrl.isEmpty()) {
            return HealthCheckResponse.named("identity-provider").up().withData("used", false).build();
        }
        String url = authServerUrl.get().replaceAll("/$", "") + "/.well-known/openid-configuration";
        try {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return HealthCheckResponse.named("identity-provider").status(r.statusCode() == 200)
                    .withData("status", r.statusCode()).build();
        } catch (Exception e) {
            return HealthCheckResponse.named("identity-provider").down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
