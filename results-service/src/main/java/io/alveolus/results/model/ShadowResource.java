package io.alveolus.results.model;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.Caller;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.audit.Audited;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;

/**
 * A tenant admin's view of its own tenant's shadow run: which version runs in shadow, how often it agreed with the
 * active one, and the latest pairs. Clinicians never see shadow output (it is not in any analysis view).
 */
@Path("/api/shadow")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.TENANT_ADMIN)
public class ShadowResource {
    @Inject
    ShadowComparisons comparisons;
    @Inject
    SecurityIdentity identity;

    public record Comparison(String activeVersion, String shadowVersion, List<ShadowComparisons.Summary> summaries,
                             List<ShadowComparisons.Pair> recent) {
    }

    @GET
    @Transactional
    @Audited(value = "shadow.read", resource = "tenant")
    @Operation(summary = "The caller's tenant: its shadow version's agreement with the active one, and the latest 100 pairs")
    public Comparison comparison() {
        Caller caller = CallerResolver.of(identity);
        if (caller == null || caller.tenant() == null) {
            throw ProblemException.forbidden("a tenant admin's token carries the tenant");
        }
        String tenant = caller.tenant().value();
        Tenant t = Tenant.findById(tenant);
        return new Comparison(t == null ? null : t.activeModelVersion, t == null ? null : t.shadowModelVersion,
                comparisons.summaries(null, tenant), comparisons.recent(tenant, 100));
    }
}
