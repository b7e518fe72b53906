package io.alveolus.results.model;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Shadow against active, from the stored readings: for the platform operator per tenant as counts, for a tenant
 * admin its own tenant's counts and its recent analyses. Native SQL: every query names its tenant (or groups by it).
 */
@ApplicationScoped
public class ShadowComparisons {
    @Inject
    EntityManager em;

    /**
     * @param compared    analyses both versions read (both COMPLETED)
     * @param agreed      of those, the same decision at each version's own threshold
     * @param meanAbsDiff mean |p(shadow) - p(active)|
     * @param shadowNotApplicable analyses the shadow's gate refused
     */
    public record Summary(String tenant, String shadowVersion, long compared, long agreed, Double agreement,
                          Double meanAbsDiff, long shadowNotApplicable) {
    }

    /** One analysis as its tenant admin compares it: ids and numbers, no patient data. */
    public record Pair(UUID analysisId, String activeVersion, Double activeProbability, Boolean activePositive,
                       String shadowVersion, String shadowStatus, Double shadowProbability, Boolean shadowPositive) {
    }

    /** @param tenant null: every tenant (operator) */
    @SuppressWarnings("unchecked")
    public List<Summary> summaries(String version, String tenant) {
        var q = em.createNativeQuery("""
                select s.tenant, s.model_version,
                       count(*) filter (where s.status = 'COMPLETED' and a.status = 'COMPLETED'),
                       count(*) filter (where s.status = 'COMPLETED' and a.status = 'COMPLETED'
                                         and s.positive = a.positive),
                       avg(abs(s.probability - a.probability)) filter (where s.status = 'COMPLETED'
                                                                         and a.status = 'COMPLETED'),
                       count(*) filter (where s.status = 'NOT_APPLICABLE')
                from analysis_shadow s join analysis a on a.id = s.analysis_id and a.tenant = s.tenant
                where (cast(:version as varchar) is null or s.model_version = :version)
                  and (cast(:tenant as varchar) is null or s.tenant = :tenant)
                group by s.tenant, s.model_version order by s.tenant, s.model_version""")
                .setParameter("version", version).setParameter("tenant", tenant);
        List<Summary> out = new ArrayList<>();
        for (Object[] r : (List<Object[]>) q.getResultList()) {
            long compared = ((Number) r[2]).longValue();
            long agreed = ((Number) r[3]).longValue();
            out.add(new Summary((String) r[0], (String) r[1], compared, agreed,
                    compared == 0 ? null : (double) agreed / compared, r[4] == null ? null : ((Number) r[4]).doubleValue(),
                    ((Number) r[5]).longValue()));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    public List<Pair> recent(String tenant, int limit) {
        List<Object[]> rows = em.createNativeQuery("""
                select a.id, a.model_version, a.probability, a.positive, s.model_version, s.status, s.probability,
                       s.positive
                from analysis_shadow s join analysis a on a.id = s.analysis_id and a.tenant = s.tenant
                where s.tenant = :tenant order by s.completed_at desc limit :n""")
                .setParameter("tenant", tenant).setParameter("n", limit).getResultList();
        return rows.stream().map(r -> new Pair((UUID) r[0], (String) r[1], (Double) r[2], (Boolean) r[3],
                (String) r[4], (String) r[5], (Double) r[6], (Boolean) r[7])).toList();
    }
}
