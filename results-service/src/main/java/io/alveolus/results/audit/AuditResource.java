package io.alveolus.results.audit;

import io.alveolus.common.api.Page;
import io.alveolus.common.problem.Params;
import io.alveolus.common.tenancy.Caller;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.persistence.AuditEvent;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.time.Instant;

/** The tenant's audit trail, for its administrators. */
@Path("/api/audit")
@RolesAllowed(Roles.TENANT_ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {
    @Inject
    CallerResolver callers;

    public record AuditLine(Instant at, String actor, String roles, String action, String resourceType,
                            String resourceId, String outcome, Integer httpStatus, String source) {
    }

    @GET
    @Operation(summary = "Who read or changed what in this tenant, newest first")
    public Page<AuditLine> list(@QueryParam("actor") String actor, @QueryParam("resourceId") String resourceId,
                                @QueryParam("page") String pageParam,
                                @QueryParam("size") String sizeParam) {
        Caller caller = callers.tenantCaller();
        Params.Paging paging = Params.paging(pageParam, sizeParam, 100, 500);
        int page = paging.page();
        int size = paging.size();
        Params.text("actor", actor, 200);
        Params.text("resourceId", resourceId, 64);
        StringBuilder q = new StringBuilder("tenant = :tenant");
        Parameters p = Parameters.with("tenant", caller.tenant().value());
        if (actor != null) {
            q.append(" and actor = :actor");
            p.and("actor", actor);
        }
        if (resourceId != null) {
            q.append(" and resourceId = :rid");
            p.and("rid", resourceId);
        }
        var query = AuditEvent.<AuditEvent>find(q.toString(), Sort.descending("id"), p);
        var items = query.page(page, size).list().stream().map(e -> new AuditLine(e.at, e.actor, e.actorRoles, e.action,
                e.resourceType, e.resourceId, e.outcome, e.httpStatus, e.source)).toList();
        return new Page<>(items, page, size, query.count());
    }
}
