package io.alveolus.persistence.feedback;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/**
 * A tenant's agreement that its radiologist-reviewed studies may be used for model improvement (V20). Platform
 * data read by operators across tenants, so not filtered by Hibernate's tenant discriminator: tenant-facing reads
 * name the caller's tenant explicitly.
 */
@Entity
@Table(name = "data_use_agreement")
public class DataUseAgreement extends PanacheEntityBase {
    public static final String REQUESTED = "REQUESTED";
    public static final String ACTIVE = "ACTIVE";
    public static final String ENDED = "ENDED";
    public static final String MODEL_IMPROVEMENT = "MODEL_IMPROVEMENT";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(nullable = false, updatable = false)
    public String tenant;
    @Column(nullable = false, updatable = false)
    public String scope;
    /** Studies received from this instant on are covered; null: from the beginning. */
    @Column(name = "period_from", updatable = false)
    public Instant periodFrom;
    /** Studies received before this instant are covered; null: open-ended. */
    @Column(name = "period_to", updatable = false)
    public Instant periodTo;
    @Column(name = "terms_version", nullable = false, updatable = false)
    public String termsVersion;
    @Column(nullable = false)
    public String status = REQUESTED;
    @Column(name = "requested_by", nullable = false, updatable = false)
    public String requestedBy;
    @Column(name = "requested_at", nullable = false, updatable = false)
    public Instant requestedAt = Instant.now();
    @Column(name = "granted_by")
    public String grantedBy;
    @Column(name = "granted_at")
    public Instant grantedAt;
    @Column(name = "ended_by")
    public String endedBy;
    @Column(name = "ended_at")
    public Instant endedAt;

    /** Whether a study received at {@code receivedAt} lies inside the agreement's period. */
    public boolean covers(Instant receivedAt) {
        return (periodFrom == null || !receivedAt.isBefore(periodFrom))
                && (periodTo == null || receivedAt.isBefore(periodTo));
    }
}
