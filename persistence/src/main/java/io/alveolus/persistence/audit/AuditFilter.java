package io.alveolus.persistence.audit;

import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.ext.Provider;

/**
 * Records each call of an {@link Audited} endpoint after its answer is known (including 404s and 403s), before its
 * body is sent: if the line cannot be written the filter fails, and the caller gets a problem (503 while the database
 * is down) instead of data that nobody would know was read.
 * <p>
 * The source is the connection's peer address. {@code X-Forwarded-For} counts only where Quarkus has been told to
 * trust it ({@code quarkus.http.proxy.proxy-address-forwarding} with {@code quarkus.http.proxy.trusted-proxies}): it
 * then replaces the peer address for requests from those proxies only. The header itself is never read here.
 */
@Audited
@Provider
public class AuditFilter implements ContainerResponseFilter {
    @Inject
    AuditLog audit;
    @Inject
    SecurityIdentity identity;
    @Context
    ResourceInfo resource;
    @Context
    HttpServerRequest http;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        Audited a = resource.getResourceMethod().getAnnotation(Audited.class);
        if (a == null) {
            a = resource.getResourceClass().getAnnotation(Audited.class);
        }
        if (a == null) {
            return;
        }
        String id = request.getUriInfo().getPathParameters().getFirst("id");
        String source = http != null && http.remoteAddress() != null ? http.remoteAddress().hostAddress() : null;
        audit.record(identity, a.value(), a.resource(), id, response.getStatus(), source);
    }
}
