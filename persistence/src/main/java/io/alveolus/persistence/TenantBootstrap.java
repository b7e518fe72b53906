package io.alveolus.persistence;

import io.alveolus.common.tenancy.TenantId;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;
import java.util.Optional;

/**
 * Registers tenants listed in {@code alveolus.tenants.bootstrap} ("id=Name,id=Name") if absent: the local stack's
 * two dev hospitals. Production leaves it empty and onboards tenants through the operator API.
 */
@ApplicationScoped
public class TenantBootstrap {
    @ConfigProperty(name = "alveolus.tenants.bootstrap")
    Optional<List<String>> bootstrap;

    void onStart(@Observes StartupEvent e) {
        bootstrap.ifPresent(list -> QuarkusTransaction.requiringNew().run(() -> {
            for (String entry : list) {
                String[] kv = entry.split("=", 2);
                String id = new TenantId(kv[0].trim()).value();
                // several services start at once: let the database settle the race
                Tenant.getEntityManager().createNativeQuery("""
                        insert into tenant (id, name, device_client_id) values (:id, :name, :client)
                        on conflict (id) do nothing""")
                        .setParameter("id", id).setParameter("name", kv.length > 1 ? kv[1].trim() : id)
                        .setParameter("client", "device-" + id).executeUpdate();
            }
        }));
    }
}
