package io.alveolus.results.monitoring;

import io.alveolus.common.problem.Params;
import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.TenantContext;
import io.alveolus.persistence.model.ModelRegistry;
import io.alveolus.persistence.monitoring.MonitoringSnapshot;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The monitor for platform operators: each tenant's latest figures for its active version, and one tenant's history
 * for the plot. Aggregates only (counts, rates, PSI): never an analysis, a study or a patient.
 */
@Path("/api/admin/monitoring")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.PLATFORM_OPERATOR)
public class MonitoringResource {
    @Inject
    ModelRegistry registry;
    @Inject
    EntityManager em;
    @ConfigProperty(name = "alveolus.monitoring.alert.psi", defaultValue = "0.25")
    double psiAlert;
    @ConfigProperty(name = "alveolus.monitoring.alert.agreement-lower", defaultValue = "0.8")
    double agreementAlert;
    @ConfigProperty(name = "alveolus.monitoring.alert.gate-rejection", defaultValue = "0.2")
    double gateAlert;

    /**
     * The alert thresholds the chart's PrometheusRule uses by default (helm values may differ), so that the page can
     * mark what would alert.
     */
    public record Thresholds(double psi, double agreementLower, double gateRejectionRate) {
    }

    /** @param tenants per tenant its latest snapshot for its active version (absent: nothing monitored yet) */
    public record Overview(Thresholds thresholds, List<Figures> tenants) {
    }

    public record History(String tenant, String modelVersion, Instant since, List<Figures> points) {
    }

    @GET
    @Operation(summary = "Per tenant, the latest monitoring figures of its active model version: input drift (PSI), agreement with radiologists (Wilson 95 % interval), shadow agreement, gate rejection rate")
    public Overview overview() {
        List<Figures> out = new ArrayList<>();
        for (String[] t : activeTenants(null)) {
            MonitoringSnapshot s = TenantContext.call(new TenantId(t[0]), () -> QuarkusTransaction.requiringNew()
                    .call(() -> MonitoringSnapshot.<MonitoringSnapshot>find("modelVersion = ?1 order by at desc", t[1])
                            .firstResult()));
            if (s != null) {
                out.add(Figures.of(s));
            }
        }
        return new Overview(new Thresholds(psiAlert, agreementAlert, gateAlert), out);
    }

    @GET
    @Path("/{tenant}/history")
    @Operation(summary = "One tenant's snapshots over time (oldest first), thinned to at most 'points' (default 200, at most 2000) over the last 'hours' (default 168); 'version' defaults to the tenant's active version")
    public History history(@PathParam("tenant") String tenant, @QueryParam("hours") String hours,
                           @QueryParam("points") String points, @QueryParam("version") String version) {
        int h = Params.integer("hours", hours, 168, 1, 24 * 366);
        int n = Params.integer("points", points, 200, 2, 2000);
        List<String[]> found = TenantId.isValid(tenant) ? activeTenants(tenant) : List.of();
        if (found.isEmpty()) {
            throw ProblemException.notFound("tenant " + (TenantId.isValid(tenant) ? tenant : ""));
        }
        String v = version == null || version.isBlank() ? found.get(0)[1] : Params.text("version", version, 64);
        Instant since = Instant.now().minus(Duration.ofHours(h));
        List<Figures> series = TenantContext.call(new TenantId(tenant), () -> QuarkusTransaction.requiringNew().call(() -> {
            // every k-th snapshot (and the latest), so a week of minutes is a plot, not 10 000 rows
            @SuppressWarnings("unchecked")
            List<Number> ids = em.createNativeQuery("""
                    select id from (
                        select id, row_number() over (order by at) as rn, count(*) over () as total
                        from monitoring_snapshot where tenant = :tenant and model_version = :version and at >= :since
                    ) x where (rn - 1) % cast(greatest(1, ceil(total / cast(:points as double precision))) as bigint) = 0
                           or rn = total""")
                    .setParameter("tenant", tenant).setParameter("version", v).setParameter("since", since)
                    .setParameter("points", n - 1).getResultList();
            if (ids.isEmpty()) {
                return List.<Figures>of();
            }
            return MonitoringSnapshot.<MonitoringSnapshot>list("id in ?1 order by at",
                    ids.stream().map(Number::longValue).toList()).stream().map(Figures::of).toList();
        }));
        return new History(tenant, v, since, series);
    }

    /** [tenant id, active version] of the ACTIVE tenants (or of the one named). */
    private List<String[]> activeTenants(String only) {
        return QuarkusTransaction.requiringNew().call(() -> {
            String platformDefault = registry.platformDefault().orElse(null);
            List<Tenant> tenants = only == null ? Tenant.list("status = 'ACTIVE' order by id")
                    : Tenant.list("id = ?1", only);
            List<String[]> out = new ArrayList<>();
            for (Tenant t : tenants) {
                String active = t.activeModelVersion != null ? t.activeModelVersion : platformDefault;
                if (active != null) {
                    out.add(new String[] {t.id, active});
                }
            }
            return out;
        });
    }
}
