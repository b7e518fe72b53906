package io.alveolus.persistence;

import io.alveolus.common.tenancy.Caller;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.TenantId;
import io.quarkus.arc.Arc;
import io.quarkus.hibernate.orm.PersistenceUnitExtension;
import io.quarkus.hibernate.orm.runtime.tenant.TenantResolver;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Hibernate's discriminator multi-tenancy adds "tenant = ?" to every query on tenant-owned entities, with the
 * tenant resolved here: an explicit {@link TenantContext}, else the verified token's tenant claim, else a value no
 * row has. A query written without a tenant filter therefore still cannot read another hospital's rows.
 */
@PersistenceUnitExtension
@ApplicationScoped
public class TokenTenantResolver implements TenantResolver {
    /** Matches no row: the tenant column only holds valid tenant ids. */
    public static final String NO_TENANT = "-none-";

    @Override
    public String getDefaultTenantId() {
        return NO_TENANT;
    }

    @Override
    public String resolveTenantId() {
        TenantId explicit = TenantContext.current();
        if (explicit != null) {
            return explicit.value();
        }
        if (Arc.container().requestContext().isActive()) {
            Caller caller = CallerResolver.of(Arc.container().instance(SecurityIdentity.class).get());
            if (caller != null && caller.tenant() != null) {
                return caller.tenant().value();
            }
        }
        return NO_TENANT;
    }
}
