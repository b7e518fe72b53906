package io.alveolus.ingest.service;

import io.alveolus.common.events.Priority;
import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.persistence.AnalysisIntake;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.UUID;

/**
 * Holds a hospital to what it bought before an image is accepted. Counts live in PostgreSQL (not in one JVM), so
 * the limits hold however many ingest replicas run: one statement ({@code admit_upload}, V13) checks the standing,
 * counts the upload in the tenant's minute row (locked by the upsert) and takes the count back on a refusal, so
 * exactly the allowed number of uploads get through.
 */
@ApplicationScoped
public class SubscriptionGuard {

    /**
     * What an upload is: a duplicate of an analysis the tenant already has ({@code existingStatus}), or admitted,
     * billed as overage or not, and on the urgent lane or not.
     */
    public record Admission(String existingStatus, boolean overage, boolean urgentLane) {
        public boolean duplicate() {
            return existingStatus != null;
        }
    }

    @Inject
    AnalysisIntake intake;

    /** Refuses (403/402/429) or admits an upload, or recognises it as one the tenant already sent. */
    public Admission admit(TenantId tenant, UUID analysisId, Priority priority) {
        var a = intake.admit(tenant.value(), analysisId, priority == Priority.URGENT);
        return switch (a.outcome()) {
            case ADMITTED -> new Admission(null, a.overage(), a.urgentLane());
            case DUPLICATE -> new Admission(a.existingStatus(), false, false);
            case UNKNOWN_TENANT -> throw ProblemException.forbidden("this tenant is not registered on Alveolus");
            case SUSPENDED -> throw ProblemException.forbidden("this tenant's subscription is suspended");
            case NOT_YET_VALID -> throw ProblemException.forbidden("this tenant's subscription starts on " + a.detail());
            case EXPIRED -> throw ProblemException.paymentRequired("this tenant's subscription expired on " + a.detail());
            case RATE_LIMITED -> throw ProblemException.tooManyRequests("the plan allows " + a.detail()
                    + " uploads per minute", a.retryAfter());
            case ALLOWANCE_USED -> throw ProblemException.paymentRequired("the monthly allowance of " + a.detail()
                    + " studies is used up");
        };
    }
}
