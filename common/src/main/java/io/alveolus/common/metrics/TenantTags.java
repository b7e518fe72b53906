package io.alveolus.common.metrics;

import io.alveolus.common.tenancy.TenantId;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tenant label of per-tenant metrics, with bounded cardinality: the first {@code max-tenant-tags} tenants a
 * process sees get their own series, any further ones share "other" (so a bug or an attack minting tenant ids
 * cannot blow up Prometheus). Only verified tenant ids reach here, never free text.
 */
@ApplicationScoped
public class TenantTags {
    public static final String OTHER = "other";

    @ConfigProperty(name = "alveolus.metrics.max-tenant-tags", defaultValue = "500")
    int max;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    public String of(TenantId tenant) {
        return of(tenant.value());
    }

    public String of(String tenant) {
        if (seen.contains(tenant)) {
            return tenant;
        }
        synchronized (seen) {
            if (seen.size() < max && TenantId.isValid(tenant)) {
                seen.add(tenant);
                return tenant;
            }
        }
        return OTHER;
    }
}
