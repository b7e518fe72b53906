package io.alveolus.results.tenant;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.audit.Audited;
import io.alveolus.results.subscription.Subscriptions;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.net.URI;
import java.time.Instant;
import java.util.List;

/** Platform operators manage hospitals here; they never see patient data. */
@Path("/api/admin/tenants")
@RolesAllowed(Roles.PLATFORM_OPERATOR)
@Produces(MediaType.APPLICATION_JSON)
public class TenantAdminResource {
    @Inject
    TenantOnboarding onboarding;
    @Inject
    CallerResolver callers;
    @Inject
    Subscriptions subscriptions;

    /** plan: optional, default standard; its limits are copied onto the tenant. */
    public record NewTenant(String id, String name, Integer retentionDays, String plan) {
    }

    /**
     * {@code thresholdOverride}: the v1 (no populations) override; {@code thresholdOverrides}: per population, for
     * the model version {@code thresholdOverridesModel} (a worker serving another version does not apply them).
     */
    public record TenantView(String id, String name, String status, int retentionDays, Double thresholdOverride,
                             String deviceClientId, Instant createdAt, java.util.Map<String, Double> thresholdOverrides,
                             String thresholdOverridesModel) {
        static TenantView of(Tenant t) {
            java.util.Map<String, Double> overrides = new java.util.TreeMap<>();
            for (String p : Tenant.OVERRIDE_POPULATIONS) {
                overrides.put(p, t.thresholdOverrideFor(p));
            }
            return new TenantView(t.id, t.name, t.status, t.retentionDays, t.thresholdOverride, t.deviceClientId,
                    t.createdAt, overrides, t.thresholdOverrideModel);
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Audited(value = "tenant.onboard", resource = "tenant")
    @Operation(summary = "Onboard a hospital: Keycloak group and device client, storage prefix, settings. "
            + "The device client secret is returned once.")
    public Response onboard(NewTenant body) {
        callers.caller();
        if (body == null) {
            throw ProblemException.badRequest("a JSON body with id and name is required");
        }
        var created = onboarding.onboard(body.id(), body.name(), body.retentionDays(), body.plan());
        return Response.created(URI.create("/api/admin/tenants/" + created.id())).entity(created).build();
    }

    @GET
    @Operation(summary = "All tenants")
    public List<TenantView> list() {
        return Tenant.<Tenant>listAll().stream().map(TenantView::of).toList();
    }

    public record StatusChange(String status) {
    }

    @PUT
    @Path("/{id}/status")
    @Consumes(MediaType.APPLICATION_JSON)
    @Transactional
    @Audited(value = "tenant.status", resource = "tenant")
    @Operation(summary = "Suspend or reactivate a tenant (a suspended tenant cannot upload)")
    public TenantView status(@PathParam("id") String id, StatusChange change) {
        Tenant t = Tenant.findById(id);
        if (t == null) {
            throw ProblemException.notFound("tenant");
        }
        if (change == null || !("ACTIVE".equals(change.status()) || "SUSPENDED".equals(change.status()))) {
            throw ProblemException.badRequest("status must be ACTIVE or SUSPENDED");
        }
        t.status = change.status();
        return TenantView.of(t);
    }

    // Here, not in SubscriptionResource: JAX-RS picks the resource class by path first, and this one owns the prefix.
    @GET
    @Path("/{id}/subscription")
    @Operation(summary = "A tenant's plan, validity, limits and this month's usage")
    public Subscriptions.View subscription(@PathParam("id") String id) {
        return subscriptions.view(id);
    }

    @PUT
    @Path("/{id}/subscription")
    @Consumes(MediaType.APPLICATION_JSON)
    @Audited(value = "tenant.subscription.change", resource = "tenant")
    @Operation(summary = "Change a tenant's plan (copies its limits), validity, status or limit overrides; "
            + "every field optional, overrides apply after the plan's limits")
    public Subscriptions.View changeSubscription(@PathParam("id") String id, Subscriptions.Change change) {
        return subscriptions.change(id, change);
    }
}
