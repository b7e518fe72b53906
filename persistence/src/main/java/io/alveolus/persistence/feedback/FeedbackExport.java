package io.alveolus.persistence.feedback;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/**
 * One de-identified export of a tenant's reviewed studies (V20): where its zip is, under which agreement and terms,
 * what went in. The row outlives the zip (deletedAt): it is the operator's record of what left the tenant.
 */
@Entity
@Table(name = "feedback_export")
public class FeedbackExport extends PanacheEntityBase {
    @Id
    public UUID id;
    @Column(nullable = false, updatable = false)
    public String tenant;
    @Column(name = "agreement_id", nullable = false, updatable = false)
    public Long agreementId;
    @Column(name = "terms_version", nullable = false, updatable = false)
    public String termsVersion;
    @Column(name = "period_from", updatable = false)
    public Instant periodFrom;
    @Column(name = "period_to", updatable = false)
    public Instant periodTo;
    @Column(name = "object_key", nullable = false, updatable = false)
    public String objectKey;
    @Column(nullable = false)
    public int included;
    @Column(name = "left_out_burned_in", nullable = false)
    public int leftOutBurnedIn;
    @Column(name = "left_out_unreadable", nullable = false)
    public int leftOutUnreadable;
    @Column(name = "size_bytes", nullable = false)
    public long sizeBytes;
    @Column(nullable = false)
    public String sha256;
    @Column(name = "created_by", nullable = false, updatable = false)
    public String createdBy;
    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;
    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;
    @Column(name = "deleted_at")
    public Instant deletedAt;
}
