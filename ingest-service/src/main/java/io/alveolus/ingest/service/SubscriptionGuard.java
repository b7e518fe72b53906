package io.alveolus.ingest.service;

import io.alveolus.common.events.Priority;
import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.persistence.Tenant;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;

/**
 * Holds a hospital to what it bought before an image is accepted. Counts live in PostgreSQL (not in one JVM), so
 * the limits hold however many ingest replicas run: the per-minute row is locked by the upsert, and a refusal
 * rolls its increment back, so exactly the allowed number of uploads get through.
 */
@ApplicationScoped
public class SubscriptionGuard {

    /** What an admitted upload is: billed as overage or not, and whether it may use the urgent lane. */
    public record Admission(boolean overage, boolean urgentLane) {
    }

    /** Refuses (403/402/429) or admits an upload. */
    public Admission admit(TenantId tenant, Priority priority, Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Tenant t = Tenant.findById(tenant.value());
            if (t == null) {
                throw ProblemException.forbidden("this tenant is not registered on Alveolus");
            }
            switch (t.standing(now)) {
                case SUSPENDED -> throw ProblemException.forbidden("this tenant's subscription is suspended");
                case NOT_YET_VALID -> throw ProblemException.forbidden("this tenant's subscription starts on "
                        + t.validFrom);
                case EXPIRED -> throw ProblemException.paymentRequired("this tenant's subscription expired on "
                        + t.validUntil);
                case ACTIVE -> { }
            }
            int urgent = priority == Priority.URGENT ? 1 : 0;
            Object[] counts = (Object[]) Tenant.getEntityManager().createNativeQuery("""
                    insert into upload_rate (tenant, window_start, uploads, urgent_uploads)
                    values (:tenant, date_trunc('minute', now()), 1, :urgent)
                    on conflict (tenant, window_start) do update set uploads = upload_rate.uploads + 1,
                        urgent_uploads = upload_rate.urgent_uploads + :urgent
                    returning uploads, urgent_uploads""").setParameter("tenant", tenant.value())
                    .setParameter("urgent", urgent).getSingleResult();
            if (((Number) counts[0]).intValue() > t.maxUploadsPerMinute) {
                throw ProblemException.tooManyRequests("the plan allows " + t.maxUploadsPerMinute
                        + " uploads per minute", (int) (60 - now.getEpochSecond() % 60));
            }
            long used = Tenant.usageThisMonth(tenant.value()).studies();
            boolean overage = used >= t.monthlyAllowance;
            if (overage && "REJECT".equals(t.overagePolicy)) {
                throw ProblemException.paymentRequired("the monthly allowance of " + t.monthlyAllowance
                        + " studies is used up");
            }
            return new Admission(overage, urgent == 1 && ((Number) counts[1]).intValue() <= t.urgentPerMinute);
        });
    }
}
