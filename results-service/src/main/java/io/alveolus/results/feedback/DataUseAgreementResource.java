package io.alveolus.results.feedback;

import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.persistence.audit.Audited;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;

/** Data-use agreements for platform operators: every tenant's, granted and ended here. */
@Path("/api/admin/data-use-agreements")
@RolesAllowed(Roles.PLATFORM_OPERATOR)
@Produces(MediaType.APPLICATION_JSON)
public class DataUseAgreementResource {
    @Inject
    DataUseAgreements agreements;
    @Inject
    SecurityIdentity identity;

    @GET
    @Operation(summary = "Every tenant's data-use agreements, newest first (optional filters tenant, status)")
    public List<DataUseAgreements.View> list(@QueryParam("tenant") String tenant, @QueryParam("status") String status) {
        return agreements.all(tenant, status);
    }

    @POST
    @Path("/{id}/grant")
    @Audited(value = "data-use-agreement.grant", resource = "data_use_agreement")
    @Operation(summary = "Grants a REQUESTED agreement: it becomes the tenant's ACTIVE one (409 if ended, already active, or the tenant has another active one)")
    public DataUseAgreements.View grant(@PathParam("id") String id) {
        return agreements.grant(FeedbackIds.agreement(id), actor());
    }

    @POST
    @Path("/{id}/end")
    @Audited(value = "data-use-agreement.end", resource = "data_use_agreement")
    @Operation(summary = "Ends an agreement (or refuses a request): the tenant's studies are in no later export")
    public DataUseAgreements.View end(@PathParam("id") String id) {
        return agreements.end(FeedbackIds.agreement(id), actor(), null);
    }

    private String actor() {
        var caller = CallerResolver.of(identity);
        return caller == null ? "unknown" : String.valueOf(caller.username());
    }
}
