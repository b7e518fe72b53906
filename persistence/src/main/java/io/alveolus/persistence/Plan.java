package io.alveolus.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A subscription plan from the catalogue (not tenant-scoped). Its limits are copied onto the tenant when assigned,
 * so the tenant row, not the plan, is what ingest enforces.
 */
@Entity
@Table(name = "plan")
public class Plan extends PanacheEntityBase {
    @Id
    public String id;
    @Column(nullable = false)
    public String name;
    @Column(name = "monthly_allowance", nullable = false)
    public int monthlyAllowance;
    @Column(name = "max_uploads_per_minute", nullable = false)
    public int maxUploadsPerMinute;
    /** URGENT studies per minute that may use the urgent lane; beyond it they go to the routine lane. */
    @Column(name = "urgent_per_minute", nullable = false)
    public int urgentPerMinute;
    @Column(name = "overage_policy", nullable = false)
    public String overagePolicy;
    public String description;

    /** Puts this plan and its limits on the tenant (overrides, if any, are applied afterwards). */
    public void applyTo(Tenant t) {
        t.plan = id;
        t.monthlyAllowance = monthlyAllowance;
        t.maxUploadsPerMinute = maxUploadsPerMinute;
        t.urgentPerMinute = urgentPerMinute;
        t.overagePolicy = overagePolicy;
    }
}
