package io.alveolus.results.monitoring;

import io.alveolus.common.tenancy.TenantId;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.TenantContext;
import io.alveolus.persistence.model.ModelRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Computes every active tenant's figures for its active model version ({@link Figures}), every
 * {@code alveolus.monitoring.every}: updates the gauges and stores a snapshot. Each tenant is read in its own tenant
 * context with native SQL that names the tenant; only counts and rates come out.
 *
 * <p><b>Reference rule:</b> a tenant's reference for a version is its first {@code reference-studies} analyses on
 * that version (COMPLETED, with raw statistics, in completion order): its own scanners and population, not another
 * hospital's. No drift is reported until the reference is complete. Recent: the analyses after the reference within
 * {@code window}, the latest {@code recent-analyses} of them; PSI needs at least {@code min-recent}.
 *
 * <p>Several replicas may run it: each keeps its own gauges (alert rules take the max per tenant), and an advisory
 * lock plus the last snapshot's time keep the history at one row per tenant and version per interval.
 */
@ApplicationScoped
public class Monitor {
    private static final Logger LOG = Logger.getLogger(Monitor.class);
    /** pg advisory lock key (first int) for snapshot writes: "moni". */
    private static final int LOCK_CLASS = 0x6d6f6e69;

    @Inject
    EntityManager em;
    @Inject
    ModelRegistry registry;
    @Inject
    MonitoringGauges gauges;

    @ConfigProperty(name = "alveolus.monitoring.reference-studies", defaultValue = "200")
    int referenceSize;
    @ConfigProperty(name = "alveolus.monitoring.recent-analyses", defaultValue = "500")
    int recentMax;
    @ConfigProperty(name = "alveolus.monitoring.min-recent", defaultValue = "50")
    int minRecent;
    @ConfigProperty(name = "alveolus.monitoring.window", defaultValue = "P7D")
    Duration window;
    @ConfigProperty(name = "alveolus.monitoring.snapshot-min-interval", defaultValue = "PT30S")
    Duration snapshotMinInterval;
    @ConfigProperty(name = "alveolus.monitoring.history-retention", defaultValue = "P90D")
    Duration historyRetention;

    @Scheduled(every = "${alveolus.monitoring.every:60s}", delayed = "${alveolus.monitoring.delayed:30s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            run(Instant.now());
        } catch (RuntimeException e) {
            LOG.warnf("monitoring run failed, the gauges keep their last values: %s", e.getMessage());
        }
    }

    /** One run over every active tenant: gauges updated, snapshots stored. Returns the figures. */
    @ActivateRequestContext
    public List<Figures> run(Instant now) {
        record Assigned(String tenant, String active, String shadow) {
        }
        List<Assigned> tenants = QuarkusTransaction.requiringNew().call(() -> {
            String platformDefault = registry.platformDefault().orElse(null);
            List<Assigned> out = new ArrayList<>();
            for (Tenant t : Tenant.<Tenant>list("status = 'ACTIVE' order by id")) {
                String active = t.activeModelVersion != null ? t.activeModelVersion : platformDefault;
                if (active != null) {
                    out.add(new Assigned(t.id, active, t.shadowModelVersion));
                }
            }
            return out;
        });
        List<Figures> all = new ArrayList<>();
        for (Assigned a : tenants) {
            TenantId tenant = new TenantId(a.tenant());
            Figures f = TenantContext.call(tenant, () -> QuarkusTransaction.requiringNew()
                    .call(() -> compute(a.tenant(), a.active(), a.shadow(), now)));
            if (f.empty()) {
                continue;
            }
            all.add(f);
            TenantContext.run(tenant, () -> QuarkusTransaction.requiringNew().run(() -> snapshot(f)));
        }
        gauges.show(all);
        return all;
    }

    /** The figures of one tenant's version now (read-only; in the tenant's context). */
    public Figures compute(String tenant, String version, String shadowVersion, Instant now) {
        Instant since = now.minus(window);
        @SuppressWarnings("unchecked")
        List<Object[]> ref = em.createNativeQuery("""
                select raw_mean, probability, completed_at, id from analysis
                where tenant = :tenant and model_version = :version and status = 'COMPLETED'
                  and raw_mean is not null and probability is not null and completed_at <= :now
                order by completed_at, id limit :n""")
                .setParameter("tenant", tenant).setParameter("version", version).setParameter("now", now)
                .setParameter("n", referenceSize).getResultList();
        boolean complete = ref.size() >= referenceSize;
        double[] refMean = column(ref, 0);
        double[] refScore = column(ref, 1);

        double[] recentMean = new double[0];
        double[] recentScore = new double[0];
        Double gateReference = null;
        if (complete) {
            Object[] last = ref.get(ref.size() - 1);
            Instant refEnd = io.alveolus.persistence.NativeRows.instant(last[2]);
            UUID refEndId = (UUID) last[3];
            @SuppressWarnings("unchecked")
            List<Object[]> recent = em.createNativeQuery("""
                    select raw_mean, probability from analysis
                    where tenant = :tenant and model_version = :version and status = 'COMPLETED'
                      and raw_mean is not null and probability is not null
                      and (completed_at, id) > (:refEnd, :refEndId) and completed_at >= :since and completed_at <= :now
                    order by completed_at desc, id desc limit :n""")
                    .setParameter("tenant", tenant).setParameter("version", version).setParameter("refEnd", refEnd)
                    .setParameter("refEndId", refEndId).setParameter("since", since).setParameter("now", now)
                    .setParameter("n", recentMax).getResultList();
            recentMean = column(recent, 0);
            recentScore = column(recent, 1);
            Object[] g = (Object[]) em.createNativeQuery("""
                    select count(*), count(*) filter (where status = 'NOT_APPLICABLE') from analysis
                    where tenant = :tenant and model_version = :version
                      and status in ('COMPLETED', 'NOT_APPLICABLE') and completed_at <= :refEnd""")
                    .setParameter("tenant", tenant).setParameter("version", version).setParameter("refEnd", refEnd)
                    .getSingleResult();
            long total = ((Number) g[0]).longValue();
            gateReference = total == 0 ? null : ((Number) g[1]).doubleValue() / total;
        }
        boolean drift = complete && recentMean.length >= minRecent;
        Double intensityPsi = drift ? Stability.psi(refMean, recentMean) : null;
        Double scorePsi = drift ? Stability.psi(refScore, recentScore) : null;

        Object[] rev = (Object[]) em.createNativeQuery("""
                select count(*), count(*) filter (where (review_label = 'PNEUMONIA') = positive) from analysis
                where tenant = :tenant and model_version = :version and status = 'COMPLETED'
                  and review_label is not null and reviewed_at >= :since and reviewed_at <= :now""")
                .setParameter("tenant", tenant).setParameter("version", version).setParameter("since", since)
                .setParameter("now", now).getSingleResult();
        Stability.Proportion agreement = Stability.wilson(((Number) rev[1]).longValue(), ((Number) rev[0]).longValue());

        int shadowCompared = 0;
        int shadowAgreed = 0;
        if (shadowVersion != null) {
            Object[] sh = (Object[]) em.createNativeQuery("""
                    select count(*), count(*) filter (where s.positive = a.positive)
                    from analysis_shadow s join analysis a on a.id = s.analysis_id and a.tenant = s.tenant
                    where s.tenant = :tenant and s.model_version = :shadow and a.model_version = :version
                      and s.status = 'COMPLETED' and a.status = 'COMPLETED'
                      and s.completed_at >= :since and s.completed_at <= :now""")
                    .setParameter("tenant", tenant).setParameter("shadow", shadowVersion)
                    .setParameter("version", version).setParameter("since", since).setParameter("now", now)
                    .getSingleResult();
            shadowCompared = ((Number) sh[0]).intValue();
            shadowAgreed = ((Number) sh[1]).intValue();
        }

        Object[] gate = (Object[]) em.createNativeQuery("""
                select count(*), count(*) filter (where status = 'NOT_APPLICABLE') from analysis
                where tenant = :tenant and model_version = :version and status in ('COMPLETED', 'NOT_APPLICABLE')
                  and completed_at >= :since and completed_at <= :now""")
                .setParameter("tenant", tenant).setParameter("version", version).setParameter("since", since)
                .setParameter("now", now).getSingleResult();
        int gateTotal = ((Number) gate[0]).intValue();
        int gateRejected = ((Number) gate[1]).intValue();

        return new Figures(tenant, version, now, ref.size(), complete, recentMean.length, intensityPsi, scorePsi,
                agreement == null ? 0 : (int) agreement.n(), agreement == null ? 0 : (int) agreement.successes(),
                agreement == null ? null : agreement.estimate(), agreement == null ? null : agreement.lower(),
                agreement == null ? null : agreement.upper(), shadowVersion, shadowCompared, shadowAgreed,
                shadowCompared == 0 ? null : (double) shadowAgreed / shadowCompared, gateTotal, gateRejected,
                gateTotal == 0 ? null : (double) gateRejected / gateTotal, gateReference);
    }

    /**
     * Stores the figures as a snapshot unless another replica stored one for this tenant and version within
     * {@code snapshot-min-interval}; drops the tenant's snapshots older than {@code history-retention}.
     */
    void snapshot(Figures f) {
        em.createNativeQuery("select pg_advisory_xact_lock(:k1, :k2)").setParameter("k1", LOCK_CLASS)
                .setParameter("k2", (f.tenant() + "\n" + f.modelVersion()).hashCode()).getSingleResult();
        Number recent = (Number) em.createNativeQuery("""
                select count(*) from monitoring_snapshot
                where tenant = :tenant and model_version = :version and at > :after""")
                .setParameter("tenant", f.tenant()).setParameter("version", f.modelVersion())
                .setParameter("after", f.at().minus(snapshotMinInterval)).getSingleResult();
        if (recent.longValue() > 0) {
            return;
        }
        f.toSnapshot().persist();
        em.createNativeQuery("delete from monitoring_snapshot where tenant = :tenant and at < :cutoff")
                .setParameter("tenant", f.tenant()).setParameter("cutoff", f.at().minus(historyRetention))
                .executeUpdate();
    }

    private static double[] column(List<Object[]> rows, int i) {
        double[] out = new double[rows.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = ((Number) rows.get(k)[i]).doubleValue();
        }
        return out;
    }

}
