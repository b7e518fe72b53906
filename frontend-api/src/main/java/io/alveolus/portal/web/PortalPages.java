package io.alveolus.portal.web;

import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.portal.backend.Backend;
import io.alveolus.portal.backend.BackendException;
import io.quarkus.oidc.IdToken;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.alveolus.common.problem.Params;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The portal's pages: worklist, study, upload (Qute, rendered on the server). */
@Path("/")
@Authenticated
@Produces(MediaType.TEXT_HTML)
public class PortalPages {
    static final int PAGE_SIZE = 25;

    @Inject
    Template worklist;
    @Inject
    Template study;
    @Inject
    Template upload;
    @Inject
    Template deliveries;
    @Inject
    Template monitoring;
    @Inject
    @Location("signed-out.html")
    Template signedOut;
    @Inject
    @Location("error.html")
    Template error;
    @Inject
    Backend backend;
    @Inject
    @IdToken
    JsonWebToken idToken;
    @Inject
    SecurityIdentity identity;

    /** The filters of the worklist, as query parameters of both the page and its JSON endpoint. */
    @io.quarkus.qute.TemplateData
    public record Filters(String view, String status, boolean flagged, String q, int page) {
        Map<String, String> query() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("triage", String.valueOf("triage".equals(view)));
            m.put("status", Row.apiStatus(status));
            m.put("positive", flagged ? "true" : null);
            m.put("studyId", q == null ? null : q.trim());
            m.put("page", String.valueOf(Math.max(0, page)));
            m.put("size", String.valueOf(PAGE_SIZE));
            return m;
        }
    }

    static Map<String, Object> worklistData(Backend backend, Filters f) {
        var page = backend.analyses(f.query());
        Instant now = Instant.now();
        List<Row> rows = page.items().stream().map(a -> Row.of(a, now)).toList();
        long pages = Math.max(1, (page.total() + PAGE_SIZE - 1) / PAGE_SIZE);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("items", rows);
        m.put("page", page.page());
        m.put("pages", pages);
        m.put("total", page.total());
        return m;
    }

    TemplateInstance page(Template t) {
        return t.data("user", idToken.getClaim("preferred_username"))
                .data("tenant", idToken.getClaim(CallerResolver.TENANT_CLAIM))
                .data("radiologist", identity.hasRole(Roles.RADIOLOGIST))
                .data("tenantAdmin", identity.hasRole(Roles.TENANT_ADMIN))
                .data("operator", identity.hasRole(Roles.PLATFORM_OPERATOR))
                .data("clinician", clinician());
    }

    private boolean clinician() {
        return identity.hasRole(Roles.RADIOLOGIST) || identity.hasRole(Roles.PHYSICIAN);
    }

    @GET
    public Response worklist(@QueryParam("view") @DefaultValue("newest") String view,
                             @QueryParam("status") String status, @QueryParam("flagged") String flagged,
                             @QueryParam("q") String q, @QueryParam("page") String pageNo) {
        if (!clinician() && identity.hasRole(Roles.TENANT_ADMIN)) {
            // a hospital's administrator reads no studies: their page is where the results went
            return Response.seeOther(java.net.URI.create("/deliveries")).build();
        }
        if (!clinician() && identity.hasRole(Roles.PLATFORM_OPERATOR)) {
            // the platform operator reads no hospital's studies: their page is the model monitor
            return Response.seeOther(java.net.URI.create("/monitoring")).build();
        }
        Filters f = new Filters("triage".equals(view) ? "triage" : "newest", Row.apiStatus(status) == null ? "" : status,
                Params.bool("flagged", flagged, false), Params.text("q", q == null ? "" : q, 128),
                Params.integer("page", pageNo, 0, 0, Params.MAX_PAGE));
        Map<String, Object> data;
        try {
            data = worklistData(backend, f);
        } catch (BackendException e) {
            // a readable page, not a bare error, when the results service is down or refuses
            return Response.status(e.status() >= 400 && e.status() < 600 ? e.status() : 502)
                    .entity(page(error).data("title", "Worklist unavailable").data("message", e.getMessage())).build();
        }
        long pages = (long) data.get("pages");
        return Response.ok(page(worklist).data("rows", data.get("items")).data("total", data.get("total"))
                .data("pageLabel", f.page() + 1).data("pages", pages).data("f", f)
                .data("prev", f.page() > 0 ? link(f, f.page() - 1) : null)
                .data("next", f.page() + 1 < pages ? link(f, f.page() + 1) : null)).build();
    }

    private static String link(Filters f, int page) {
        StringBuilder s = new StringBuilder("/?view=").append(f.view()).append("&page=").append(page);
        if (!f.status().isBlank()) {
            s.append("&status=").append(java.net.URLEncoder.encode(f.status(), java.nio.charset.StandardCharsets.UTF_8));
        }
        if (f.flagged()) {
            s.append("&flagged=true");
        }
        if (!f.q().isBlank()) {
            s.append("&q=").append(java.net.URLEncoder.encode(f.q(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return s.toString();
    }

    @GET
    @Path("studies/{id}")
    public Response study(@PathParam("id") String id) {
        UUID uuid = uuid(id);
        Backend.Reply r = uuid == null ? null : backend.analysis(uuid);
        if (r == null || r.status() == 404) {
            return Response.status(404).entity(page(error).data("title", "Study not found")
                    .data("message", "There is no such study in your worklist.")).build();
        }
        if (!r.ok()) {
            return Response.status(r.status() == 401 || r.status() == 403 ? r.status() : 502)
                    .entity(page(error).data("title", "Study unavailable").data("message", backend.detail(r))).build();
        }
        var a = backend.view(r);
        return Response.ok(page(study).data("s", Study.of(a, Instant.now()))
                .data("model", ModelInfo.of(backend.model()))).build();
    }

    /** One delivery as the page shows it (results-service's GET /api/deliveries; no patient data in it). */
    @io.quarkus.qute.TemplateData
    public record DeliveryRow(String analysisId, String destination, String kind, String state, int attempts,
                              String lastError, String createdAt, String nextAttemptAt, String deliveredAt) {
    }

    /** The tenant admin's view of where the hospital's AI results went (issue 15: delivery status in the portal). */
    @GET
    @Path("deliveries")
    @RolesAllowed(Roles.TENANT_ADMIN)
    public Response deliveries() {
        List<DeliveryRow> rows;
        List<Map<String, Object>> destinations;
        try {
            rows = backend.deliveries().stream().map(d -> new DeliveryRow(str(d.get("analysisId")),
                    str(d.get("destination")), str(d.get("kind")), str(d.get("state")),
                    d.get("attempts") instanceof Number n ? n.intValue() : 0, str(d.get("lastError")),
                    str(d.get("createdAt")), str(d.get("nextAttemptAt")), str(d.get("deliveredAt")))).toList();
            destinations = backend.destinations();
        } catch (BackendException e) {
            return Response.status(e.status() >= 400 && e.status() < 600 ? e.status() : 502)
                    .entity(page(error).data("title", "Deliveries unavailable").data("message", e.getMessage())).build();
        }
        return Response.ok(page(deliveries).data("rows", rows).data("destinations", destinations)).build();
    }

    /**
     * The platform operator's model monitor (issue 16): per tenant its current drift, agreement with radiologists,
     * shadow agreement and gate rejection rate, and plots of the last {@code hours} (default a week).
     */
    @GET
    @Path("monitoring")
    @RolesAllowed(Roles.PLATFORM_OPERATOR)
    @SuppressWarnings("unchecked")
    public Response monitoring(@QueryParam("hours") String hours) {
        int h = Params.integer("hours", hours, 168, 1, 24 * 90);
        List<Monitoring.TenantRow> rows = new java.util.ArrayList<>();
        Monitoring.Thresholds thresholds;
        try {
            Map<String, Object> overview = backend.monitoring();
            thresholds = Monitoring.Thresholds.of(overview.get("thresholds"));
            for (Map<String, Object> f : (List<Map<String, Object>>) overview.getOrDefault("tenants", List.of())) {
                Map<String, Object> history = backend.monitoringHistory(str(f.get("tenant")), h, 120);
                rows.add(Monitoring.row(f, (List<Map<String, Object>>) history.getOrDefault("points", List.of()),
                        thresholds));
            }
        } catch (BackendException e) {
            return Response.status(e.status() >= 400 && e.status() < 600 ? e.status() : 502)
                    .entity(page(error).data("title", "Monitoring unavailable").data("message", e.getMessage())).build();
        }
        return Response.ok(page(monitoring).data("rows", rows).data("thresholds", thresholds).data("hours", h)).build();
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    @GET
    @Path("upload")
    @RolesAllowed(Roles.RADIOLOGIST)
    public TemplateInstance upload() {
        return page(upload);
    }

    @GET
    @Path("signed-out")
    @PermitAll
    public TemplateInstance signedOut() {
        return signedOut.instance();
    }

    static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
