package io.alveolus.results.subscription;

import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * A hospital's administrators see what their hospital bought and how much of it is used; only platform operators
 * change it (PUT /api/admin/tenants/{id}/subscription).
 */
@Path("/api/tenant/subscription")
@RolesAllowed(Roles.TENANT_ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class SubscriptionResource {
    @Inject
    Subscriptions subscriptions;
    @Inject
    CallerResolver callers;

    @GET
    @Operation(summary = "This tenant's plan, validity, limits and this month's usage (read-only)")
    public Subscriptions.View get() {
        return subscriptions.view(callers.tenantCaller().tenant().value());
    }
}
