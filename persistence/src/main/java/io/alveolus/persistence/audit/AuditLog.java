package io.alveolus.persistence.audit;

import io.alveolus.common.tenancy.Caller;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.persistence.AuditEvent;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.arc.Arc;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.TreeSet;

/** Writes audit lines in their own transaction, so they survive the failure of the request they describe. */
@ApplicationScoped
public class AuditLog {

    public void record(SecurityIdentity who, String action, String resourceType, String resourceId, int httpStatus,
                       String source) {
        AuditEvent e = new AuditEvent();
        Caller caller = CallerResolver.of(who);
        if (caller != null) {
            e.tenant = caller.tenant() == null ? null : caller.tenant().value();
            e.actor = fit(String.valueOf(caller.username()), 200);
            e.actorRoles = fit(String.join(",", new TreeSet<>(caller.roles())), 200);
        } else {
            e.actor = "anonymous";
        }
        e.action = fit(action, 64);
        e.resourceType = fit(resourceType, 32);
        e.resourceId = fit(resourceId, 64);
        e.httpStatus = httpStatus;
        e.outcome = outcome(httpStatus);
        e.source = fit(source, 100);
        if (io.vertx.core.Context.isOnEventLoopThread()) {
            // refused before dispatch (401/403 on the I/O thread): write from a worker thread instead
            Infrastructure.getDefaultWorkerPool().execute(() -> {
                var context = Arc.container().requestContext();
                context.activate(); // Hibernate resolves the (unused) tenant through request-scoped beans
                try {
                    QuarkusTransaction.requiringNew().run(e::persist);
                } finally {
                    context.terminate();
                }
            });
        } else {
            QuarkusTransaction.requiringNew().run(e::persist);
        }
    }

    /** For work without a caller (retention, the worker): the actor is the system job. */
    public void system(TenantId tenant, String actor, String action, String resourceType, String resourceId) {
        AuditEvent e = new AuditEvent();
        e.tenant = tenant.value();
        e.actor = actor;
        e.action = action;
        e.resourceType = resourceType;
        e.resourceId = resourceId;
        e.outcome = "OK";
        QuarkusTransaction.requiringNew().run(e::persist);
    }

    /**
     * Whatever a request carried fits its column (audit_event's varchar lengths): a longer value is cut and marked,
     * so that an absurd path id or address is still recorded instead of failing the line.
     */
    static String fit(String value, int column) {
        if (value == null || value.length() <= column) {
            return value;
        }
        return value.substring(0, column - 1) + "\u2026";
    }

    static String outcome(int status) {
        if (status / 100 == 2 || status / 100 == 3) {
            return "OK";
        }
        return switch (status) {
            case 401, 403 -> "DENIED";
            case 404 -> "NOT_FOUND";
            default -> "ERROR";
        };
    }
}
