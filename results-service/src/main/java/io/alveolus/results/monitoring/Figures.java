package io.alveolus.results.monitoring;

import io.alveolus.persistence.monitoring.MonitoringSnapshot;

import java.time.Instant;

/**
 * One tenant's monitoring figures for one (its active) model version at one moment: what the gauges show, what a
 * {@code monitoring_snapshot} row keeps, what the operator API returns. Counts and rates only. A figure that cannot
 * be computed yet is null (JSON) / NaN (gauge): PSI before the reference is complete or with too few recent analyses,
 * agreement without reviews, shadow agreement without shadow readings.
 *
 * @param referenceAnalyses   analyses in the tenant's reference on this version (at most the configured size)
 * @param referenceComplete   the reference holds the configured number of analyses: only then is drift reported
 * @param recentAnalyses      analyses after the reference inside the window (at most the configured number)
 * @param intensityPsi        PSI of the raw mean grey level, recent against reference
 * @param scorePsi            PSI of the model's probability, recent against reference
 * @param reviewed            reviews by radiologists in the window of this version's COMPLETED results
 * @param confirmed           of those, the radiologist's label is the model's call (the rest overruled it)
 * @param agreement           confirmed / reviewed: agreement with radiologists, not sensitivity (reviews are not a
 *                            random sample and the radiologist is not ground truth)
 * @param agreementLower      Wilson 95 % lower bound of {@code agreement}
 * @param agreementUpper      Wilson 95 % upper bound
 * @param shadowVersion       the tenant's shadow version, or null
 * @param shadowCompared      analyses in the window both versions read (both COMPLETED)
 * @param shadowAgreed        of those, the same positive/negative call
 * @param gateTotal           analyses in the window that ended COMPLETED or NOT_APPLICABLE on this version
 * @param gateRejected        of those, NOT_APPLICABLE
 * @param gateRejectionRate   gateRejected / gateTotal
 * @param referenceGateRejectionRate the same share over the reference period (up to its last analysis)
 */
public record Figures(String tenant, String modelVersion, Instant at, int referenceAnalyses,
                      boolean referenceComplete, int recentAnalyses, Double intensityPsi, Double scorePsi,
                      int reviewed, int confirmed, Double agreement, Double agreementLower, Double agreementUpper,
                      String shadowVersion, int shadowCompared, int shadowAgreed, Double shadowAgreement,
                      int gateTotal, int gateRejected, Double gateRejectionRate, Double referenceGateRejectionRate) {

    /** The snapshot row of these figures (its tenant set by Hibernate from the tenant context). */
    MonitoringSnapshot toSnapshot() {
        MonitoringSnapshot s = new MonitoringSnapshot();
        s.tenant = tenant;
        s.modelVersion = modelVersion;
        s.at = at;
        s.referenceAnalyses = referenceAnalyses;
        s.referenceComplete = referenceComplete;
        s.recentAnalyses = recentAnalyses;
        s.intensityPsi = intensityPsi;
        s.scorePsi = scorePsi;
        s.reviewed = reviewed;
        s.confirmed = confirmed;
        s.agreement = agreement;
        s.agreementLower = agreementLower;
        s.agreementUpper = agreementUpper;
        s.shadowVersion = shadowVersion;
        s.shadowCompared = shadowCompared;
        s.shadowAgreed = shadowAgreed;
        s.shadowAgreement = shadowAgreement;
        s.gateTotal = gateTotal;
        s.gateRejected = gateRejected;
        s.gateRejectionRate = gateRejectionRate;
        s.referenceGateRejectionRate = referenceGateRejectionRate;
        return s;
    }

    static Figures of(MonitoringSnapshot s) {
        return new Figures(s.tenant, s.modelVersion, s.at, s.referenceAnalyses, s.referenceComplete, s.recentAnalyses,
                s.intensityPsi, s.scorePsi, s.reviewed, s.confirmed, s.agreement, s.agreementLower, s.agreementUpper,
                s.shadowVersion, s.shadowCompared, s.shadowAgreed, s.shadowAgreement, s.gateTotal, s.gateRejected,
                s.gateRejectionRate, s.referenceGateRejectionRate);
    }

    /** Nothing to monitor: the version has read nothing of this tenant's yet. */
    public boolean empty() {
        return referenceAnalyses == 0 && gateTotal == 0 && reviewed == 0 && shadowCompared == 0;
    }
}
