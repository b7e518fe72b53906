package io.alveolus.persistence.model;

import io.alveolus.common.tenancy.TenantId;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Timestamp;
import java.util.List;
import java.util.UUID;

/**
 * Shadow readings. Native SQL, so every statement names its tenant itself (Hibernate's tenant filter covers
 * entities, not these).
 */
@ApplicationScoped
public class ShadowReadings {

    /** Stores one reading unless that version already read that analysis (a retried batch). In a transaction. */
    public void record(ShadowReading r) {
        ModelVersion.getEntityManager().createNativeQuery("""
                insert into analysis_shadow (analysis_id, tenant, model_version, model_sha256, status, probability,
                                             positive, threshold, population, not_applicable_reason, completed_at)
                select :id, :tenant, :version, :sha, :status, :p, :positive, :threshold, :population, :reason, :at
                where exists (select 1 from analysis where id = :id and tenant = :tenant)
                on conflict do nothing""")
                .setParameter("id", r.analysisId()).setParameter("tenant", r.tenant())
                .setParameter("version", r.modelVersion()).setParameter("sha", r.modelSha256())
                .setParameter("status", r.status()).setParameter("p", r.probability())
                .setParameter("positive", r.positive()).setParameter("threshold", r.threshold())
                .setParameter("population", r.population()).setParameter("reason", r.notApplicableReason())
                .setParameter("at", Timestamp.from(r.completedAt())).executeUpdate();
    }

    /** The tenant's shadow readings of one analysis (normally none or one). */
    public List<ShadowReading> of(TenantId tenant, UUID analysisId) {
        return query(tenant, "and s.analysis_id = :id", analysisId, 10);
    }

    /** The tenant's most recent shadow readings of a version, newest first. */
    public List<ShadowReading> recent(TenantId tenant, String version, int limit) {
        return query(tenant, "and s.model_version = :version", version, limit);
    }

    @SuppressWarnings("unchecked")
    private List<ShadowReading> query(TenantId tenant, String filter, Object value, int limit) {
        var q = ModelVersion.getEntityManager().createNativeQuery("""
                select s.analysis_id, s.tenant, s.model_version, s.model_sha256, s.status, s.probability, s.positive,
                       s.threshold, s.population, s.not_applicable_reason, s.completed_at
                from analysis_shadow s where s.tenant = :tenant\s""" + filter
                + " order by s.completed_at desc limit " + Math.max(1, Math.min(limit, 1000)))
                .setParameter("tenant", tenant.value());
        q.setParameter(filter.contains(":id") ? "id" : "version", value);
        return ((List<Object[]>) q.getResultList()).stream().map(r -> new ShadowReading((UUID) r[0], (String) r[1],
                (String) r[2], (String) r[3], (String) r[4], (Double) r[5], (Boolean) r[6], (Double) r[7],
                (String) r[8], (String) r[9], io.alveolus.persistence.NativeRows.instant(r[10]))).toList();
    }

}
