package io.alveolus.ingest.service;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.persistence.Tenant;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;

/**
 * Holds a hospital to what it bought before an image is accepted. Counts live in PostgreSQL (not in one JVM), so
 * the limits hold however many ingest replicas run.
 */
@ApplicationScoped
public class SubscriptionGuard {

    /** Refuses (403/402/429) or admits an upload; returns true when it is admitted as overage. */
    public boolean admit(TenantId tenant, Instant now) {
        Tenant t = QuarkusTransaction.requiringNew().call(() -> Tenant.<Tenant>findById(tenant.value()));
        if (t == null) {
            throw ProblemException.forbidden("this tenant is not registered on Alveolus");
        }
        if (!t.active()) {
            throw ProblemException.forbidden("this tenant's subscription is suspended");
        }
        if (t.expired(now)) {
            throw ProblemException.paymentRequired("this tenant's subscription expired on " + t.validUntil);
        }
        int uploads = QuarkusTransaction.requiringNew().call(() -> ((Number) Tenant.getEntityManager().createNativeQuery("""
                insert into upload_rate (tenant, window_start, uploads) values (:tenant, date_trunc('minute', now()), 1)
                on conflict (tenant, window_start) do update set uploads = upload_rate.uploads + 1
                returning uploads""").setParameter("tenant", tenant.value()).getSingleResult()).intValue());
        if (uploads > t.maxUploadsPerMinute) {
            throw ProblemException.tooManyRequests("the plan allows " + t.maxUploadsPerMinute + " uploads per minute",
                    (int) (60 - now.getEpochSecond() % 60));
        }
        long used = QuarkusTransaction.requiringNew().call(() -> ((Number) Tenant.getEntityManager().createNativeQuery(
                "select count(*) from analysis where tenant = :tenant and received_at >= date_trunc('month', now())")
                .setParameter("tenant", tenant.value()).getSingleResult()).longValue());
        if (used >= t.monthlyAllowance) {
            if ("REJECT".equals(t.overagePolicy)) {
                throw ProblemException.paymentRequired("the monthly allowance of " + t.monthlyAllowance
                        + " studies is used up");
            }
            return true;
        }
        return false;
    }
}
