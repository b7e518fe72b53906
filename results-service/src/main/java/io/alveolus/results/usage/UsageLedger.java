package io.alveolus.results.usage;

import io.alveolus.common.events.AnalysisCompleted;
import io.alveolus.common.metrics.TenantTags;
import io.alveolus.persistence.Tenant;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The append-only usage ledger: one row per completed analysis (studies, model milliseconds, bytes stored for
 * the original and its heat map), by UTC day. Billing periods are calendar months in UTC.
 * <p>
 * NOT_APPLICABLE analyses (the model may not read the image) are <b>not billed</b>: the tenant got no reading. They
 * get a ledger row of their own, counted as {@code notApplicable} and carrying no studies, model time, storage or
 * overage (the database refuses anything else), so the export shows how many there were. FAILED analyses are not
 * in the ledger at all.
 */
@ApplicationScoped
public class UsageLedger {
    @Inject
    MeterRegistry metrics;
    @Inject
    TenantTags tenantTags;

    /**
     * One line of the export: a tenant's usage on one day; {@code notApplicable} analyses are counted apart and
     * are in none of the billed figures.
     */
    public record DailyUsage(String tenant, LocalDate day, long studies, long overageStudies, long inferenceMs,
                             long storageBytes, long notApplicable) {
    }

    static final String COMPLETED = "COMPLETED";
    static final String NOT_APPLICABLE = "NOT_APPLICABLE";

    /**
     * Records completed and not-applicable analyses; events already in the ledger (redeliveries, re-announcements)
     * change nothing.
     */
    public int record(List<AnalysisCompleted> events) {
        List<AnalysisCompleted> completed = events.stream()
                .filter(e -> (COMPLETED.equals(e.status()) || NOT_APPLICABLE.equals(e.status()))
                        && e.completedAt() != null).toList();
        if (completed.isEmpty()) {
            return 0;
        }
        List<AnalysisCompleted> recorded = new ArrayList<>();
        QuarkusTransaction.requiringNew().run(() -> {
            var em = Tenant.getEntityManager();
            for (AnalysisCompleted e : completed) {
                boolean billed = COMPLETED.equals(e.status());
                int rows = em.createNativeQuery("""
                        insert into usage_record (analysis_id, tenant, usage_day, studies, inference_ms, storage_bytes,
                                                  overage, completed_at, not_applicable)
                        values (:id, :tenant, :day, :studies, :ms, :bytes, :overage, :completed, :notApplicable)
                        on conflict (analysis_id) do nothing""")
                        .setParameter("id", e.analysisId()).setParameter("tenant", e.tenant())
                        .setParameter("day", e.completedAt().atZone(ZoneOffset.UTC).toLocalDate())
                        .setParameter("studies", billed ? 1 : 0)
                        .setParameter("ms", !billed || e.inferenceMs() == null ? 0 : e.inferenceMs())
                        .setParameter("bytes", !billed ? 0
                                : e.imageBytes() + (e.heatmapBytes() == null ? 0 : e.heatmapBytes()))
                        .setParameter("overage", billed && e.overage()).setParameter("completed", e.completedAt())
                        .setParameter("notApplicable", billed ? 0 : 1)
                        .executeUpdate();
                if (rows == 1) {
                    recorded.add(e);
                }
            }
        });
        for (AnalysisCompleted e : recorded) {
            metrics.counter(COMPLETED.equals(e.status()) ? "alveolus.usage.studies" : "alveolus.usage.not-applicable",
                    "tenant", tenantTags.of(e.tenant())).increment();
        }
        return recorded.size();
    }

    /** Per tenant per day within the billing period; {@code tenant} null means every tenant (operators). */
    public List<DailyUsage> period(YearMonth month, String tenant) {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = Tenant.getEntityManager().createNativeQuery("""
                    select tenant, usage_day, sum(studies), sum(case when overage then studies else 0 end),
                           sum(inference_ms), sum(storage_bytes), sum(not_applicable)
                    from usage_record
                    where usage_day >= :from and usage_day < :to and (cast(:tenant as varchar) is null or tenant = :tenant)
                    group by tenant, usage_day order by tenant, usage_day""")
                    .setParameter("from", month.atDay(1)).setParameter("to", month.plusMonths(1).atDay(1))
                    .setParameter("tenant", tenant).getResultList();
            return rows.stream().map(r -> new DailyUsage((String) r[0], (LocalDate) r[1],
                    ((Number) r[2]).longValue(), ((Number) r[3]).longValue(), ((Number) r[4]).longValue(),
                    ((Number) r[5]).longValue(), ((Number) r[6]).longValue())).toList();
        });
    }

    /** The billed columns first, as before; {@code not_applicable} (counted, not billed) last. */
    public static String csv(List<DailyUsage> rows) {
        StringBuilder out = new StringBuilder(
                "tenant,day,studies,overage_studies,inference_ms,storage_bytes,not_applicable\n");
        for (DailyUsage u : rows) {
            out.append(u.tenant()).append(',').append(u.day()).append(',').append(u.studies()).append(',')
                    .append(u.overageStudies()).append(',').append(u.inferenceMs()).append(',')
                    .append(u.storageBytes()).append(',').append(u.notApplicable()).append('\n');
        }
        return out.toString();
    }
}
