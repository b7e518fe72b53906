package io.alveolus.persistence.model;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * A registered model version (platform data, no tenant): its manifest, where its parameters are, its content hash
 * and its life (candidate, shadow, active, retired). See V18.
 */
@Entity
@Table(name = "model_version")
public class ModelVersion extends PanacheEntityBase {
    public static final String CANDIDATE = "CANDIDATE";
    public static final String SHADOW = "SHADOW";
    public static final String ACTIVE = "ACTIVE";
    public static final String RETIRED = "RETIRED";
    public static final String SHIPPED = "SHIPPED";
    public static final String REGISTRY = "REGISTRY";

    @Id
    public String id;
    public String name;
    @Column(name = "content_sha256")
    public String contentSha256;
    public String source;
    @Column(name = "object_prefix")
    public String objectPrefix;
    public String status;
    public String manifest;
    @Column(name = "gate_accepted")
    public Boolean gateAccepted;
    @Column(name = "gate_report")
    public String gateReport;
    @Column(name = "platform_default")
    public boolean platformDefault;
    @Column(name = "registered_by")
    public String registeredBy;
    @Column(name = "registered_at")
    public Instant registeredAt;
    @Column(name = "promoted_by")
    public String promotedBy;
    @Column(name = "promoted_at")
    public Instant promotedAt;
    @Column(name = "retired_by")
    public String retiredBy;
    @Column(name = "retired_at")
    public Instant retiredAt;
}
