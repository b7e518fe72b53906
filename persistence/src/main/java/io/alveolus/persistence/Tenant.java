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

    public boolean active() {
        return "ACTIVE".equals(status);
    }

    public boolean notYetValid(Instant now) {
        return validFrom != null && validFrom.isAfter(now);
    }

    public boolean expired(Instant now) {
        return validUntil != null && !validUntil.isAfter(now);
    }
}
