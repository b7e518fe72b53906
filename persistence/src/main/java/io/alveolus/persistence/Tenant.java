package io.alveolus.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A hospital on the platform (the registry itself is not tenant-scoped: only operators manage it). */
@Entity
@Table(name = "tenant")
public class Tenant extends PanacheEntityBase {
    @Id
    public String id;
    @Column(nullable = false)
    public String name;
    @Column(nullable = false)
    public String status = "ACTIVE";
    @Column(name = "retention_days", nullable = false)
    public int retentionDays = 3650;
    @Column(name = "threshold_override")
    public Double thresholdOverride;
    @Column(name = "device_client_id")
    public String deviceClientId;
    @Column(nullable = false)
    public String plan = "standard";
    /** Null: valid from onboarding. */
    @Column(name = "valid_from")
    public Instant validFrom;
    @Column(name = "valid_until")
    public Instant validUntil;
    @Column(name = "max_uploads_per_minute", nullable = false)
    public int maxUploadsPerMinute = 600;
    @Column(name = "monthly_allowance", nullable = false)
    public int monthlyAllowance = 100000;
    /** ACCEPT: studies over the allowance are analysed and marked as overage; REJECT: refused with 402. */
    @Column(name = "overage_policy", nullable = false)
    public String overagePolicy = "ACCEPT";
    /** URGENT studies per minute allowed in the urgent lane (the plan's priority class). */
    @Column(name = "urgent_per_minute", nullable = false)
    public int urgentPerMinute = 60;
    @Column(name = "created_at", nullable = false)
    public Instant createdAt = Instant.now();

    /** Whether the subscription allows uploads now; ingest refuses in this order (suspended, not yet, expired). */
    public enum Standing { ACTIVE, SUSPENDED, NOT_YET_VALID, EXPIRED }

    public Standing standing(Instant now) {
        if (!"ACTIVE".equals(status)) {
            return Standing.SUSPENDED;
        }
        if (validFrom != null && validFrom.isAfter(now)) {
            return Standing.NOT_YET_VALID;
        }
        return validUntil != null && !validUntil.isAfter(now) ? Standing.EXPIRED : Standing.ACTIVE;
    }

    /**
     * Studies received this calendar month (database time) and how many of them are overage. Native SQL: the
     * analysis entity is filtered to the caller's tenant, and operators and ingest's guard read across that.
     */
    public static Usage usageThisMonth(String tenant) {
        Object[] used = (Object[]) getEntityManager().createNativeQuery("""
                select count(*), count(*) filter (where overage)
                from analysis where tenant = :tenant and received_at >= date_trunc('month', now())""")
                .setParameter("tenant", tenant).getSingleResult();
        return new Usage(((Number) used[0]).longValue(), ((Number) used[1]).longValue());
    }

    public record Usage(long studies, long overageStudies) {
    }
}
