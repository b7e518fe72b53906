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
    /**
     * The single decision threshold override of a model without populations (pneumonia-v1); null: the model's.
     * Not used for a model with populations: a v1-calibrated threshold is not valid on v2's per-population scales.
     */
    @Column(name = "threshold_override")
    public Double thresholdOverride;
    /** The override of the paediatric population's operating point (pneumonia-v2 and later); null: the model's. */
    @Column(name = "threshold_override_paediatric")
    public Double thresholdOverridePaediatric;
    /** The override of the adult population's operating point (pneumonia-v2 and later); null: the model's. */
    @Column(name = "threshold_override_adult")
    public Double thresholdOverrideAdult;

    /** The model version the per-population overrides were set for: they mean nothing on another's scale. */
    @Column(name = "threshold_override_model")
    public String thresholdOverrideModel;

    /** The populations that have an override column, as the model manifests name them. */
    public static final java.util.Set<String> OVERRIDE_POPULATIONS = java.util.Set.of("paediatric", "adult");

    /**
     * The override for a population's operating point, or null when none is set. {@code population} null means a
     * model without populations (v1): its single override. A population without a column has none.
     */
    public Double thresholdOverrideFor(String population) {
        if (population == null) {
            return thresholdOverride;
        }
        return switch (population) {
            case "paediatric" -> thresholdOverridePaediatric;
            case "adult" -> thresholdOverrideAdult;
            default -> null;
        };
    }

    /**
     * The override for a population's operating point on {@code modelVersion}, or null when none is set for that
     * version (one set for another model is not applied: other heads, other calibration).
     */
    public Double thresholdOverrideFor(String population, String modelVersion) {
        if (population != null && !java.util.Objects.equals(modelVersion, thresholdOverrideModel)) {
            return null;
        }
        return thresholdOverrideFor(population);
    }

    /**
     * Sets (or, with null, clears) the override for a population of {@code modelVersion}; {@code population} null:
     * the single override of a model without populations. Overrides left from another model version are cleared
     * first. The caller validates the value against the model's range first.
     */
    public void setThresholdOverride(String population, Double value, String modelVersion) {
        if (population == null) {
            thresholdOverride = value;
            return;
        }
        if (!java.util.Objects.equals(modelVersion, thresholdOverrideModel)) {
            thresholdOverridePaediatric = null;
            thresholdOverrideAdult = null;
            thresholdOverrideModel = modelVersion;
        }
        switch (population) {
            case "paediatric" -> thresholdOverridePaediatric = value;
            case "adult" -> thresholdOverrideAdult = value;
            default -> throw new IllegalArgumentException("no threshold override column for population " + population);
        }
    }

    @Column(name = "device_client_id")
    public String deviceClientId;
    /** The model version this tenant's clinicians get results from; null: the platform default (V18). */
    @Column(name = "active_model_version")
    public String activeModelVersion;
    /** A version scored beside the active one, its output never shown to clinicians; null: none. */
    @Column(name = "shadow_model_version")
    public String shadowModelVersion;
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
