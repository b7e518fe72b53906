package io.alveolus.results.subscription;

import io.alveolus.common.tenancy.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;

/** The plan catalogue operators assign from (the table is seeded by migration V5). */
@Path("/api/admin/plans")
@RolesAllowed(Roles.PLATFORM_OPERATOR)
@Produces(MediaType.APPLICATION_JSON)
public class PlanResource {
    @Inject
    Subscriptions subscriptions;

    @GET
    @Operation(summary = "The subscription plans and their limits")
    public List<Subscriptions.PlanView> list() {
        return subscriptions.plans();
    }
}
