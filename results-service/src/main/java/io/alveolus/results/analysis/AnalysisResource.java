package io.alveolus.results.analysis;

import io.alveolus.common.api.AnalysisView;
import io.alveolus.common.api.Page;
import io.alveolus.common.problem.Params;
import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.Caller;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.interop.AnalysisResult;
import io.alveolus.interop.FhirReport;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.AnalysisRepository;
import io.alveolus.persistence.AnalysisStatus;
import io.alveolus.persistence.audit.Audited;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.UUID;

/** Analyses of the caller's own tenant; anything else is indistinguishable from a missing analysis. */
@Path("/api/analyses")
@RolesAllowed({Roles.PHYSICIAN, Roles.RADIOLOGIST})
@Produces(MediaType.APPLICATION_JSON)
public class AnalysisResource {
    private static final int MAX_PAGE_SIZE = 200;

    @Inject
    CallerResolver callers;
    @Inject
    AnalysisRepository analyses;
    @Inject
    ObjectStore store;
    @Inject
    HeatmapRenderer heatmaps;
    @Inject
    PreviewRenderer previews;
    /** Where clients reach this API; the heat-map URL in a FHIR report is built from it, never from the request. */
    @ConfigProperty(name = "alveolus.results.public-url")
    String publicUrl;

    @GET
    @Path("/{id}")
    @Audited(value = "analysis.read", resource = "analysis")
    @Operation(summary = "One analysis of the caller's tenant")
    public AnalysisView get(@PathParam("id") String id) {
        return AnalysisRepository.view(load(callers.tenantCaller(), id));
    }

    @GET
    @Audited(value = "analysis.list", resource = "analysis")
    @Operation(summary = "List analyses: filters, paging, triage order (flagged and urgent first)")
    public Page<AnalysisView> list(@QueryParam("status") String status, @QueryParam("from") String from,
                                   @QueryParam("to") String to, @QueryParam("positive") String positive,
                                   @QueryParam("studyId") String studyId,
                                   @QueryParam("triage") String triage,
                                   @QueryParam("page") String page,
                                   @QueryParam("size") String size) {
        Caller caller = callers.tenantCaller();
        Params.Paging paging = Params.paging(page, size, 50, MAX_PAGE_SIZE);
        var filter = new AnalysisRepository.Filter(parseStatus(status), Params.instant("from", from),
                Params.instant("to", to), Params.bool("positive", positive), Params.text("studyId", studyId, 128),
                Params.bool("triage", triage, false));
        return analyses.page(caller, filter, paging.page(), paging.size());
    }

    @GET
    @Path("/{id}/image")
    @Produces("*/*")
    @Audited(value = "image.read", resource = "analysis")
    @Operation(summary = "The original image as uploaded")
    public Response image(@PathParam("id") String id) {
        Caller caller = callers.tenantCaller();
        Analysis a = load(caller, id);
        return object(caller, a.imageKey, a.contentType);
    }

    @GET
    @Path("/{id}/preview")
    @Produces("image/png")
    @Audited(value = "image.read", resource = "analysis")
    @Operation(summary = "The image as a PNG a browser can show: grey, windowed as the model saw it, aspect kept, "
            + "at most 1024 px (DICOM included)")
    public Response preview(@PathParam("id") String id) {
        Caller caller = callers.tenantCaller();
        Analysis a = load(caller, id);
        try {
            return noStore(Response.ok(previews.png(a, () -> store.get(caller.tenant(), a.imageKey)), "image/png"));
        } catch (IllegalArgumentException e) {
            throw ProblemException.unprocessable("the original cannot be shown: " + e.getMessage());
        }
    }

    @GET
    @Path("/{id}/heatmap")
    @Produces("image/png")
    @Audited(value = "heatmap.read", resource = "analysis")
    @Operation(summary = "The model's class activation map as a transparent PNG overlay")
    public Response heatmap(@PathParam("id") String id) {
        Caller caller = callers.tenantCaller();
        Analysis a = load(caller, id);
        if (a.camGrid != null) {
            return noStore(Response.ok(heatmaps.png(a), "image/png"));
        }
        if (a.heatmapKey == null) {
            throw ProblemException.notFound("heat map");
        }
        return object(caller, a.heatmapKey, "image/png"); // a result from before the CAM grid (V11)
    }

    /** Patient images are never cached by browsers or proxies; the store checks the key's tenant prefix again. */
    private Response object(Caller caller, String key, String contentType) {
        return noStore(Response.ok(store.get(caller.tenant(), key), contentType));
    }

    private static Response noStore(Response.ResponseBuilder r) {
        return r.header("Cache-Control", "private, no-store").build();
    }

    @GET
    @Path("/{id}/fhir")
    @Produces("application/fhir+json")
    @Audited(value = "analysis.fhir.read", resource = "analysis")
    @Operation(summary = "FHIR R4 Bundle: DiagnosticReport + Observation (probability, model) + Media (heat map)")
    public Response fhir(@PathParam("id") String id) {
        Analysis a = load(callers.tenantCaller(), id);
        if (!a.status.terminal()) {
            throw new ProblemException(409, "urn:alveolus:problem:not-completed", "Conflict",
                    "the analysis is " + a.status + "; a report exists once it is completed, not applicable or failed");
        }
        String heatmap = !a.hasHeatmap() ? null
                : publicUrl.replaceAll("/+$", "") + "/api/analyses/" + a.id + "/heatmap";
        var result = new AnalysisResult(a.id.toString(), a.tenant, a.patientRef, a.studyId, a.studyInstanceUid,
                AnalysisResult.Status.valueOf(a.status.name()), a.probability, a.positive, a.threshold,
                a.modelVersion, heatmap, a.completedAt, a.notApplicableReason);
        return Response.ok(FhirReport.build(result), "application/fhir+json").build();
    }

    public record Review(String label, String comment) {
    }

    @POST
    @Path("/{id}/review")
    @RolesAllowed(Roles.RADIOLOGIST)
    @Consumes(MediaType.APPLICATION_JSON)
    @Transactional
    @Audited(value = "analysis.review", resource = "analysis")
    @Operation(summary = "Radiologist confirms or overrules the model: the final label is kept beside the model's")
    public AnalysisView review(@PathParam("id") String id, Review review) {
        Caller caller = callers.tenantCaller();
        if (review == null || review.label() == null
                || !(review.label().equals("PNEUMONIA") || review.label().equals("NO_PNEUMONIA"))) {
            throw ProblemException.badRequest("label must be PNEUMONIA or NO_PNEUMONIA");
        }
        if (review.comment() != null && review.comment().length() > 2000) {
            throw ProblemException.badRequest("comment is limited to 2000 characters");
        }
        Analysis a = load(caller, id);
        if (a.status != AnalysisStatus.COMPLETED) {
            throw new ProblemException(409, "urn:alveolus:problem:not-completed", "Conflict",
                    "only a completed analysis can be reviewed");
        }
        a.reviewLabel = review.label();
        a.reviewComment = review.comment();
        a.reviewedBy = caller.username();
        a.reviewedAt = java.time.Instant.now();
        return AnalysisRepository.view(a);
    }

    private Analysis load(Caller caller, String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("analysis");
        }
        return analyses.find(caller, uuid).orElseThrow(() -> ProblemException.notFound("analysis"));
    }

    /** Absent or empty: any status; otherwise exactly a status name (any case), else 400. */
    private static AnalysisStatus parseStatus(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            return AnalysisStatus.parse(s);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(e.getMessage());
        }
    }
}
