package io.alveolus.persistence.monitoring;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.TenantId;

import java.time.Instant;

/**
 * One monitoring run's figures for one tenant and model version (V23): counts and rates, kept for the plot over time.
 * Written by results-service's monitor in the tenant's context; the meaning of each column is on
 * {@code io.alveolus.results.monitoring.Figures}.
 */
@Entity
@Table(name = "monitoring_snapshot")
public class MonitoringSnapshot extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @TenantId
    @Column(nullable = false, updatable = false)
    public String tenant;
    @Column(name = "model_version", nullable = false)
    public String modelVersion;
    @Column(nullable = false)
    public Instant at;
    @Column(name = "reference_analyses")
    public int referenceAnalyses;
    @Column(name = "reference_complete")
    public boolean referenceComplete;
    @Column(name = "recent_analyses")
    public int recentAnalyses;
    @Column(name = "intensity_psi")
    public Double intensityPsi;
    @Column(name = "score_psi")
    public Double scorePsi;
    public int reviewed;
    public int confirmed;
    public Double agreement;
    @Column(name = "agreement_lower")
    public Double agreementLower;
    @Column(name = "agreement_upper")
    public Double agreementUpper;
    @Column(name = "shadow_version")
    public String shadowVersion;
    @Column(name = "shadow_compared")
    public int shadowCompared;
    @Column(name = "shadow_agreed")
    public int shadowAgreed;
    @Column(name = "shadow_agreement")
    public Double shadowAgreement;
    @Column(name = "gate_total")
    public int gateTotal;
    @Column(name = "gate_rejected")
    public int gateRejected;
    @Column(name = "gate_rejection_rate")
    public Double gateRejectionRate;
    @Column(name = "reference_gate_rejection_rate")
    public Double referenceGateRejectionRate;
}
