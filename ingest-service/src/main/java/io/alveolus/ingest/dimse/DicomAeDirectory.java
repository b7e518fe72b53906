package io.alveolus.ingest.dimse;

import io.alveolus.common.tenancy.TenantId;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import jakarta.persistence.EntityManager;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;

/**
 * Which tenant a called AE title belongs to, and whether a calling AE may send to it (table tenant_dicom_ae). Read
 * from PostgreSQL for each association, so a title set by an operator counts at once on every replica.
 */
@ApplicationScoped
public class DicomAeDirectory {
    private static final Logger LOG = Logger.getLogger(DicomAeDirectory.class);

    /** The outcome of an A-ASSOCIATE-RQ's titles: a tenant, or the A-ASSOCIATE-RJ reason. */
    public record Decision(TenantId tenant, int rejectReason) {
        public boolean accepted() {
            return tenant != null;
        }
    }

    @Inject
    EntityManager em;

    /** "CALLED_AE=tenant,...": the local stack's titles, registered if absent; empty in production. */
    @ConfigProperty(name = "alveolus.dimse.bootstrap-ae")
    Optional<List<String>> bootstrap;

    /** After TenantBootstrap (default priority): the titles reference its tenants. */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 600) StartupEvent e) {
        bootstrap.ifPresent(list -> QuarkusTransaction.requiringNew().run(() -> {
            for (String entry : list) {
                String[] kv = entry.split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException("alveolus.dimse.bootstrap-ae: expected CALLED_AE=tenant, got "
                            + entry);
                }
                String ae = kv[0].strip();
                String tenant = new TenantId(kv[1].strip()).value();
                // several replicas start at once: the database settles the race; a tenant not registered is skipped
                int rows = em.createNativeQuery("""
                        insert into tenant_dicom_ae (called_ae, tenant)
                        select :ae, id from tenant where id = :tenant
                        on conflict (called_ae) do nothing""")
                        .setParameter("ae", ae).setParameter("tenant", tenant).executeUpdate();
                if (rows == 1) {
                    LOG.infof("DICOM AE title %s registered for tenant %s", ae, tenant);
                }
            }
        }));
    }

    /** The tenant of {@code calledAe}, or why the association is refused. */
    @ActivateRequestContext // an association's own thread: Hibernate resolves the (here: no) tenant from it
    public Decision decide(String calledAe, String callingAe) {
        List<?> rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("""
                select tenant, (allowed_calling is null or cast(:calling as varchar) = any(allowed_calling))
                from tenant_dicom_ae where called_ae = :called""")
                .setParameter("called", calledAe).setParameter("calling", callingAe).getResultList());
        if (rows.isEmpty()) {
            return new Decision(null, PixelmedPdus.CALLED_AE_NOT_RECOGNISED);
        }
        Object[] row = (Object[]) rows.get(0);
        if (!Boolean.TRUE.equals(row[1])) {
            return new Decision(null, PixelmedPdus.CALLING_AE_NOT_RECOGNISED);
        }
        return new Decision(new TenantId((String) row[0]), 0);
    }
}
