package io.alveolus.results.rest;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.audit.Audited;
import io.alveolus.results.service.ShippedModel;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** A hospital's own settings, for its tenant administrators. */
@Path("/api/tenant/settings")
@RolesAllowed(Roles.TENANT_ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class TenantSettingsResource {
    @Inject
    CallerResolver callers;
    @Inject
    ShippedModel model;

    public record Settings(String tenant, String name, String status, int retentionDays, Double thresholdOverride,
                           double modelThreshold, double[] validatedThresholdRange, String modelVersion) {
    }

    public record Change(Integer retentionDays, Double thresholdOverride, Boolean clearThresholdOverride) {
    }

    @GET
    @Operation(summary = "This tenant's settings and the model's validated threshold range")
    public Settings get() {
        return view(tenant());
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Transactional
    @Audited(value = "tenant.settings.change", resource = "tenant")
    @Operation(summary = "Change retention or the decision threshold (only within the model's validated range)")
    public Settings change(Change change) {
        Tenant t = tenant();
        if (change == null) {
            throw ProblemException.badRequest("a JSON body is required");
        }
        if (change.retentionDays() != null) {
            if (change.retentionDays() < 1 || change.retentionDays() > 36500) {
                throw ProblemException.badRequest("retentionDays must be between 1 and 36500");
            }
            t.retentionDays = change.retentionDays();
        }
        if (Boolean.TRUE.equals(change.clearThresholdOverride())) {
            t.thresholdOverride = null;
        } else if (change.thresholdOverride() != null) {
            double[] range = model.validatedThresholdRange();
            double v = change.thresholdOverride();
            if (range == null || v < range[0] || v > range[1]) {
                throw new ProblemException(422, "urn:alveolus:problem:threshold-not-validated", "Threshold not validated",
                        "the threshold must lie in the model's validated range "
                                + (range == null ? "(none published)" : "[" + range[0] + ", " + range[1] + "]"));
            }
            t.thresholdOverride = v;
        }
        return view(t);
    }

    private Tenant tenant() {
        Tenant t = Tenant.findById(callers.tenantCaller().tenant().value());
        if (t == null) {
            throw ProblemException.notFound("tenant");
        }
        return t;
    }

    private Settings view(Tenant t) {
        return new Settings(t.id, t.name, t.status, t.retentionDays, t.thresholdOverride, model.threshold(),
                model.validatedThresholdRange(), model.version());
    }
}
