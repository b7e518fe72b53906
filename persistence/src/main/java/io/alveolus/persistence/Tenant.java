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
    @Column(name = "created_at", nullable = false)
    public Instant createdAt = Instant.now();

    public boolean active() {
        return "ACTIVE".equals(status);
    }
}
