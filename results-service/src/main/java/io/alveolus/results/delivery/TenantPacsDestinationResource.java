package io.alveolus.results.delivery;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.persistence.audit.Audited;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A tenant admin's read-only view of where the tenant's results are sent. */
@Path("/api/tenant/pacs-destinations")
@Produces(MediaType.APPLICATION_JSON)
public class TenantPacsDestinationResource {
    @Inject
    CallerResolver callers;
    @Inject
    PacsDestinations destinations;

    @GET
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Operation(summary = "This tenant's PACS destinations")
    public List<PacsDestinations.Destination> ownDestinations() {
        return destinations.of(callers.tenantCaller().tenant().value());
    }

}
