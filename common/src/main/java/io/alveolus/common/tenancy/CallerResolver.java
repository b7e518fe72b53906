package io.alveolus.common.tenancy;

import io.alveolus.common.problem.ProblemException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Set;

/**
 * Turns the verified bearer token into a {@link Caller}. The tenant comes from the token's
 * {@code tenant} claim only; a tenant-scoped call without one is refused with 401.
 */
@RequestScoped
public class CallerResolver {
    public static final String TENANT_CLAIM = "tenant";

    @Inject
    SecurityIdentity identity;

    public Caller caller() {
        Caller caller = of(identity);
        if (caller == null) {
            throw ProblemException.unauthorized("a bearer token is required");
        }
        return caller;
    }

    /**
     * The one reading of a verified token (tenant claim, user name, roles); null without a bearer token. Also used
     * where no request-scoped resolver can be injected (Hibernate's tenant resolver, the audit log).
     */
    public static Caller of(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return null;
        }
        String tenant = jwt.getClaim(TENANT_CLAIM);
        TenantId tenantId = TenantId.isValid(tenant) ? new TenantId(tenant) : null;
        String username = jwt.getClaim("preferred_username");
        return new Caller(jwt.getSubject(), username != null ? username : jwt.getClaim("azp"), tenantId,
                Set.copyOf(identity.getRoles()));
    }

    /** The caller, who must belong to a tenant (patients' data is only ever read inside one). */
    public Caller tenantCaller() {
        Caller caller = caller();
        if (caller.tenant() == null) {
            throw ProblemException.unauthorized("the token carries no valid tenant claim");
        }
        return caller;
    }
}
