package io.alveolus.results.subscription;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.persistence.Plan;
import io.alveolus.persistence.Tenant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;

/**
 * What a hospital bought: the plan catalogue, a tenant's subscription as the operator sets it and as both the
 * operator and the hospital's administrators see it. Ingest enforces the tenant row (SubscriptionGuard).
 */
@ApplicationScoped
public class Subscriptions {
    public static final String DEFAULT_PLAN = "standard";
    private static final Set<String> STATUSES = Set.of("ACTIVE", "SUSPENDED");
    private static final Set<String> OVERAGE_POLICIES = Set.of("ACCEPT", "REJECT");

    public record PlanView(String id, String name, int monthlyAllowance, int maxUploadsPerMinute, int urgentPerMinute,
                           String overagePolicy, String description) {
        static PlanView of(Plan p) {
            return new PlanView(p.id, p.name, p.monthlyAllowance, p.maxUploadsPerMinute, p.urgentPerMinute,
                    p.overagePolicy, p.description);
        }
    }

    public record Overrides(Integer monthlyAllowance, Integer maxUploadsPerMinute, Integer urgentPerMinute,
                            String overagePolicy) {
    }

    /**
     * Every field optional. Times are ISO-8601 with an offset; JSON null cannot be told from absent here, hence the
     * clear flags (as in the tenant settings).
     */
    public record Change(String plan, String validFrom, String validUntil, Boolean clearValidFrom,
                         Boolean clearValidUntil, String status, Overrides overrides) {
    }

    public record View(String tenant, String plan, String status, String effectiveStatus, Instant validFrom,
                       Instant validUntil, int monthlyAllowance, int maxUploadsPerMinute, int urgentPerMinute,
                       String overagePolicy, long usedThisMonth, long overageThisMonth) {
    }

    @Transactional
    public List<PlanView> plans() {
        return Plan.<Plan>list("order by monthlyAllowance").stream().map(PlanView::of).toList();
    }

    /** The plan, or 400: callers name plans in request bodies. Needs a transaction or request session. */
    public static Plan plan(String id) {
        Plan p = id == null ? null : Plan.findById(id);
        if (p == null) {
            throw ProblemException.badRequest("unknown plan '" + id + "'; see GET /api/admin/plans");
        }
        return p;
    }

    @Transactional
    public View view(String tenantId) {
        return view(tenant(tenantId), Instant.now());
    }

    /** A plan in the body (even the current one) resets the limits to the plan's; overrides then apply. */
    @Transactional
    public View change(String tenantId, Change change) {
        Tenant t = tenant(tenantId);
        if (change == null) {
            throw ProblemException.badRequest("a JSON body is required");
        }
        if (change.status() != null && !STATUSES.contains(change.status())) {
            throw ProblemException.badRequest("status must be ACTIVE or SUSPENDED");
        }
        Overrides o = change.overrides();
        if (o != null) {
            nonNegative("monthlyAllowance", o.monthlyAllowance());
            nonNegative("maxUploadsPerMinute", o.maxUploadsPerMinute());
            nonNegative("urgentPerMinute", o.urgentPerMinute());
            if (o.overagePolicy() != null && !OVERAGE_POLICIES.contains(o.overagePolicy())) {
                throw ProblemException.badRequest("overagePolicy must be ACCEPT or REJECT");
            }
        }
        Instant from = Boolean.TRUE.equals(change.clearValidFrom()) ? null
                : change.validFrom() != null ? instant("validFrom", change.validFrom()) : t.validFrom;
        Instant until = Boolean.TRUE.equals(change.clearValidUntil()) ? null
                : change.validUntil() != null ? instant("validUntil", change.validUntil()) : t.validUntil;
        if (from != null && until != null && !until.isAfter(from)) {
            throw ProblemException.badRequest("validUntil (" + until + ") must be after validFrom (" + from + ")");
        }
        // everything is checked before the first change, so a refused request changes nothing
        Plan plan = change.plan() == null ? null : plan(change.plan());
        if (plan != null) {
            plan.applyTo(t);
        }
        t.validFrom = from;
        t.validUntil = until;
        if (change.status() != null) {
            t.status = change.status();
        }
        if (o != null) {
            if (o.monthlyAllowance() != null) {
                t.monthlyAllowance = o.monthlyAllowance();
            }
            if (o.maxUploadsPerMinute() != null) {
                t.maxUploadsPerMinute = o.maxUploadsPerMinute();
            }
            if (o.urgentPerMinute() != null) {
                t.urgentPerMinute = o.urgentPerMinute();
            }
            if (o.overagePolicy() != null) {
                t.overagePolicy = o.overagePolicy();
            }
        }
        return view(t, Instant.now());
    }

    private View view(Tenant t, Instant now) {
        Tenant.Usage used = Tenant.usageThisMonth(t.id);
        return new View(t.id, t.plan, t.status, t.standing(now).name(), t.validFrom, t.validUntil,
                t.monthlyAllowance, t.maxUploadsPerMinute, t.urgentPerMinute, t.overagePolicy,
                used.studies(), used.overageStudies());
    }

    private static Tenant tenant(String id) {
        Tenant t = id == null ? null : Tenant.findById(id);
        if (t == null) {
            throw ProblemException.notFound("tenant");
        }
        return t;
    }

    private static void nonNegative(String field, Integer value) {
        if (value != null && value < 0) {
            throw ProblemException.badRequest("overrides." + field + " must not be negative");
        }
    }

    private static Instant instant(String field, String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(field + " must be an ISO-8601 time with offset, e.g. 2026-01-01T00:00:00Z");
        }
    }
}
