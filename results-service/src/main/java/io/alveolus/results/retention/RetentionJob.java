package io.alveolus.results.retention;

import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.TenantContext;
import io.alveolus.persistence.audit.AuditLog;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Deletes each tenant's analyses older than its retention period, with their heat maps and (when no remaining
 * analysis shares it) the original image. Every deletion is audited. Safe to run on several replicas at once.
 */
@ApplicationScoped
public class RetentionJob {
    private static final Logger LOG = Logger.getLogger(RetentionJob.class);

    @Inject
    ObjectStore store;
    @Inject
    AuditLog audit;

    @Scheduled(every = "${alveolus.retention.every}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        run(Instant.now());
    }

    /** Returns how many analyses were deleted. */
    @ActivateRequestContext
    public int run(Instant now) {
        List<Tenant> tenants = QuarkusTransaction.requiringNew().call(() -> Tenant.<Tenant>listAll());
        int deleted = 0;
        for (Tenant t : tenants) {
            TenantId tenant = new TenantId(t.id);
            Instant cutoff = now.minus(Duration.ofDays(t.retentionDays));
            List<Analysis> expired = TenantContext.call(tenant, () -> QuarkusTransaction.requiringNew()
                    .call(() -> Analysis.<Analysis>list("receivedAt < ?1", cutoff)));
            for (Analysis a : expired) {
                if (a.heatmapKey != null) {
                    store.delete(tenant, a.heatmapKey);
                }
                boolean imageShared = TenantContext.call(tenant, () -> QuarkusTransaction.requiringNew()
                        .call(() -> Analysis.count("imageKey = ?1 and id <> ?2", a.imageKey, a.id) > 0));
                if (!imageShared) {
                    store.delete(tenant, a.imageKey);
                }
                TenantContext.run(tenant, () -> QuarkusTransaction.requiringNew()
                        .run(() -> Analysis.delete("id", a.id)));
                audit.system(tenant, "retention-job", "analysis.delete.retention", "analysis", a.id.toString());
                deleted++;
            }
            if (!expired.isEmpty()) {
                LOG.infof("retention: deleted %d analyses of tenant %s older than %d days", expired.size(), t.id,
                        t.retentionDays);
            }
        }
        return deleted;
    }
}
