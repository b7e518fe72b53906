package io.alveolus.results.feedback;

import io.alveolus.common.problem.Params;
import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.Caller;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.persistence.audit.Audited;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;

/** A hospital's own data-use agreement, for its tenant administrators: request one, see it, end it. */
@Path("/api/tenant/data-use-agreement")
@RolesAllowed(Roles.TENANT_ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class TenantDataUseAgreementResource {
    @Inject
    CallerResolver callers;
    @Inject
    DataUseAgreements agreements;

    /** {@code from}/{@code to}: ISO-8601 instants bounding the studies covered (by when they were received). */
    public record Request(String scope, String termsVersion, String from, String to) {
    }

    /** The ACTIVE agreement (null: none) and every agreement of the tenant, newest first. */
    public record Current(DataUseAgreements.View active, List<DataUseAgreements.View> agreements) {
    }

    @POST
    @Path("/request")
    @Consumes(MediaType.APPLICATION_JSON)
    @Audited(value = "data-use-agreement.request", resource = "data_use_agreement")
    @Operation(summary = "Requests an agreement that this tenant's radiologist-reviewed studies may be used for model improvement (scope MODEL_IMPROVEMENT, termsVersion, optional from/to); a platform operator grants it")
    public Response request(Request req) {
        Caller caller = callers.tenantCaller();
        if (req == null) {
            throw ProblemException.badRequest("scope and termsVersion are required");
        }
        var view = agreements.request(caller.tenant(), caller.username(), req.scope(), req.termsVersion(),
                Params.instant("from", req.from()), Params.instant("to", req.to()));
        return Response.status(201).entity(view).build();
    }

    @GET
    @Audited(value = "data-use-agreement.read", resource = "data_use_agreement")
    @Operation(summary = "This tenant's active data-use agreement and all its agreements, newest first")
    public Current get() {
        List<DataUseAgreements.View> all = agreements.of(callers.tenantCaller().tenant());
        return new Current(all.stream().filter(a -> "ACTIVE".equals(a.status())).findFirst().orElse(null), all);
    }

    @POST
    @Path("/{id}/end")
    @Audited(value = "data-use-agreement.end", resource = "data_use_agreement")
    @Operation(summary = "Ends this tenant's agreement (or withdraws its request): its studies are in no later export")
    public DataUseAgreements.View end(@PathParam("id") String id) {
        Caller caller = callers.tenantCaller();
        return agreements.end(FeedbackIds.agreement(id), caller.username(), caller.tenant());
    }
}
