package io.alveolus.results;

import io.quarkus.oidc.common.OidcEndpoint;
import io.quarkus.oidc.common.OidcRequestFilter;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts the service's calls to Keycloak's token introspection endpoint (HttpHygieneTest expects none). */
@ApplicationScoped
@OidcEndpoint(OidcEndpoint.Type.INTROSPECTION)
public class IntrospectionCounter implements OidcRequestFilter {
    static final AtomicInteger CALLS = new AtomicInteger();

    @Override
    public void filter(OidcRequestContext context) {
        CALLS.incrementAndGet();
    }
}
