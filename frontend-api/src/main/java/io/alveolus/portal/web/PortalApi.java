package io.alveolus.portal.web;

import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.portal.backend.Backend;
import io.alveolus.portal.live.LiveResults;
import io.quarkus.oidc.IdToken;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Multi;
import io.alveolus.common.problem.Params;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The portal's backend-for-frontend: JSON for the page's scripts, the live event stream, and images proxied with
 * the user's token. State-changing calls need the {@link CsrfGuard} header.
 */
@Path("/")
@Authenticated
public class PortalApi {
    @Inject
    Backend backend;
    @Inject
    LiveResults live;
    @Inject
    @IdToken
    JsonWebToken idToken;

    /** The worklist rows for the current filters (the live page re-fetches them when an event arrives). */
    @GET
    @Path("api/worklist")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> worklist(@QueryParam("view") @DefaultValue("newest") String view,
                                        @QueryParam("status") String status, @QueryParam("flagged") String flagged,
                                        @QueryParam("q") String q, @QueryParam("page") String page) {
        return PortalPages.worklistData(backend, new PortalPages.Filters("triage".equals(view) ? "triage" : "newest",
                status == null ? "" : status, Params.bool("flagged", flagged, false),
                Params.text("q", q == null ? "" : q, 128), Params.integer("page", page, 0, 0, Params.MAX_PAGE)));
    }

    /** A forwarded event: only which analysis changed; the page re-reads its rows through the results service. */
    public record LiveEvent(String type, UUID analysisId, String status) {
    }

    @GET
    @Path("api/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<LiveEvent> events() {
        String tenant = idToken.getClaim(CallerResolver.TENANT_CLAIM);
        Multi<LiveEvent> results = live.forTenant(tenant)
                .map(e -> new LiveEvent("analysis", e.analysisId(), Row.status(e.status())));
        Multi<LiveEvent> heartbeat = Multi.createFrom().ticks().every(Duration.ofSeconds(20))
                .map(t -> new LiveEvent("heartbeat", null, null));
        // the first element commits the response at once, so the page knows it is connected
        Multi<LiveEvent> hello = Multi.createFrom().item(new LiveEvent("connected", null, null));
        return Multi.createBy().merging().streams(hello, results, heartbeat);
    }

    @GET
    @Path("studies/{id}/image")
    public Response image(@PathParam("id") String id) {
        UUID uuid = PortalPages.uuid(id);
        return uuid == null ? Response.status(404).build() : passThrough(backend.image(uuid));
    }

    @GET
    @Path("studies/{id}/heatmap")
    public Response heatmap(@PathParam("id") String id) {
        UUID uuid = PortalPages.uuid(id);
        return uuid == null ? Response.status(404).build() : passThrough(backend.heatmap(uuid));
    }

    public record ReviewForm(String label, String comment) {
    }

    @POST
    @Path("api/studies/{id}/review")
    @RolesAllowed(Roles.RADIOLOGIST)
    @Consumes(MediaType.APPLICATION_JSON)
    public Response review(@PathParam("id") String id, ReviewForm form) {
        UUID uuid = PortalPages.uuid(id);
        if (uuid == null) {
            return Response.status(404).build();
        }
        return passThrough(backend.review(uuid, form == null ? null : form.label(), form == null ? null : form.comment()));
    }

    @POST
    @Path("api/uploads")
    @RolesAllowed(Roles.RADIOLOGIST)
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response upload(@RestForm("file") FileUpload file, @RestForm String studyId, @RestForm String patientRef,
                           @RestForm String referringPhysician, @RestForm String priority) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("studyId", studyId);
        fields.put("patientRef", patientRef);
        fields.put("referringPhysician", referringPhysician == null || referringPhysician.isBlank() ? null : referringPhysician);
        fields.put("priority", priority);
        return passThrough(backend.upload(fields, file == null ? null : file.fileName(),
                file == null ? null : file.contentType(), file == null ? null : file.uploadedFile()));
    }

    private static Response passThrough(Backend.Reply r) {
        return Response.status(r.status()).type(r.contentType()).entity(r.body())
                .header("Cache-Control", "private, no-store").build();
    }
}
