package io.alveolus.results.model;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.model.ModelManifest;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.audit.Audited;
import io.alveolus.persistence.model.ModelRegistry;
import io.alveolus.persistence.model.ModelVersion;
import io.quarkus.security.identity.SecurityIdentity;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The model registry for platform operators (issue 16): register a version (manifest + parameters), record its
 * promotion gate, roll it out as shadow or active to tenants, roll a move back, retire it. Every call is audited;
 * per-tenant moves are also written into each tenant's own audit trail. Operators see aggregates only: the shadow
 * summary counts, never an analysis.
 */
@Path("/api/admin/models")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.PLATFORM_OPERATOR)
public class ModelRegistryResource {
    /** A parameter file larger than this is not one of ours (v3's is 2.4 MB). */
    static final long MAX_PARAMS_BYTES = 256L * 1024 * 1024;

    @Inject
    ModelRollouts rollouts;
    @Inject
    ModelRegistry registry;
    @Inject
    ShadowComparisons comparisons;
    @Inject
    SecurityIdentity identity;

    /** A version as the registry shows it: never its parameters. */
    public record VersionView(String id, String name, String contentSha256, String source, String status,
                              boolean platformDefault, Boolean gateAccepted, String registeredBy, Instant registeredAt,
                              String promotedBy, Instant promotedAt, String retiredBy, Instant retiredAt,
                              Map<String, ModelManifest.Population> populations, ModelManifest.Metrics metrics,
                              List<String> activeFor, List<String> shadowFor) {
        static VersionView of(ModelVersion v) {
            ModelManifest m = ModelCard.parse(v.manifest);
            List<String> active = Tenant.<Tenant>list("activeModelVersion = ?1 order by id", v.id).stream()
                    .map(t -> t.id).toList();
            List<String> shadow = Tenant.<Tenant>list("shadowModelVersion = ?1 order by id", v.id).stream()
                    .map(t -> t.id).toList();
            return new VersionView(v.id, v.name, v.contentSha256, v.source, v.status, v.platformDefault,
                    v.gateAccepted, v.registeredBy, v.registeredAt, v.promotedBy, v.promotedAt, v.retiredBy,
                    v.retiredAt, m == null ? null : m.populations(), m == null ? null : m.metrics(), active, shadow);
        }
    }

    public record RolloutRequest(String action, List<String> tenants, Integer percent, Boolean all) {
    }

    public record RolloutReceipt(long rolloutId, VersionView version) {
    }

    @GET
    @Transactional
    @Operation(summary = "Every registered model version, its status and where it runs")
    public List<VersionView> list() {
        return registry.all().stream().map(VersionView::of).toList();
    }

    @GET
    @Path("/{id}")
    @Transactional
    @Operation(summary = "One registered model version")
    public VersionView get(@PathParam("id") String id) {
        return VersionView.of(rollouts.version(id));
    }

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Audited(value = "model.register", resource = "model_version")
    @Operation(summary = "Registers a model version: multipart parts 'manifest' (manifest.json) and 'params' (its parameter file); stored content-addressed, status CANDIDATE")
    public Response register(@RestForm("manifest") FileUpload manifest, @RestForm("params") FileUpload params)
            throws IOException {
        if (manifest == null || params == null) {
            throw ProblemException.badRequest("send the parts 'manifest' and 'params'");
        }
        if (Files.size(params.uploadedFile()) > MAX_PARAMS_BYTES || Files.size(manifest.uploadedFile()) > 1 << 20) {
            throw ProblemException.tooLarge("a manifest is at most 1 MiB and a parameter file at most 256 MiB");
        }
        ModelVersion v = rollouts.register(Files.readAllBytes(manifest.uploadedFile()),
                Files.readAllBytes(params.uploadedFile()), actor());
        return Response.status(201).entity(io.quarkus.narayana.jta.QuarkusTransaction.requiringNew()
                .call(() -> VersionView.of(rollouts.version(v.id)))).build();
    }

    @PUT
    @Path("/{id}/gate")
    @Consumes(MediaType.APPLICATION_JSON)
    @Transactional
    @Audited(value = "model.gate", resource = "model_version")
    @Operation(summary = "Records the promotion gate's report (JSON with \"accepted\": true|false); promotion needs an accepted one")
    public VersionView gate(@PathParam("id") String id, Map<String, Object> report) {
        return VersionView.of(rollouts.recordGate(id, report));
    }

    @POST
    @Path("/{id}/rollout")
    @Consumes(MediaType.APPLICATION_JSON)
    @Transactional
    @Audited(value = "model.rollout", resource = "model_version")
    @Operation(summary = "Moves tenants onto this version: action ACTIVATE, SHADOW or END_SHADOW; exactly one of tenants (list), percent (1-100, stable buckets), all (true). Returns the rollout id")
    public RolloutReceipt rollout(@PathParam("id") String id, RolloutRequest req) {
        if (req == null || req.action() == null) {
            throw ProblemException.badRequest("action (ACTIVATE, SHADOW or END_SHADOW) is required");
        }
        ModelRollouts.Action action;
        try {
            action = ModelRollouts.Action.valueOf(req.action());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("action must be ACTIVATE, SHADOW or END_SHADOW");
        }
        long rolloutId = rollouts.rollout(id, action, new ModelRollouts.Target(req.tenants(), req.percent(), req.all()),
                actor());
        return new RolloutReceipt(rolloutId, VersionView.of(rollouts.version(id)));
    }

    @POST
    @Path("/rollouts/{rolloutId}/rollback")
    @Transactional
    @Audited(value = "model.rollback", resource = "model_rollout")
    @Operation(summary = "Undoes one rollout: every tenant it moved (and the platform default) goes back to what it ran before")
    public Map<String, Long> rollback(@PathParam("rolloutId") long rolloutId) {
        return Map.of("rolloutId", rollouts.rollback(rolloutId, actor()));
    }

    @GET
    @Path("/rollouts")
    @Transactional
    @Operation(summary = "The latest rollouts, newest first, with what each tenant ran before")
    public List<ModelRollouts.RolloutRecord> history(@QueryParam("limit") Integer limit) {
        return rollouts.history(limit == null ? 50 : Math.max(1, Math.min(limit, 500)));
    }

    @POST
    @Path("/{id}/retire")
    @Transactional
    @Audited(value = "model.retire", resource = "model_version")
    @Operation(summary = "Retires a version no tenant uses any more")
    public VersionView retire(@PathParam("id") String id) {
        return VersionView.of(rollouts.retire(id, actor()));
    }

    @GET
    @Path("/{id}/shadow-summary")
    @Transactional
    @Operation(summary = "Per tenant: how often this version, in shadow, agreed with the tenant's active version (counts only, no analyses)")
    public List<ShadowComparisons.Summary> shadowSummary(@PathParam("id") String id) {
        rollouts.version(id);
        return comparisons.summaries(id, null);
    }

    private String actor() {
        var caller = CallerResolver.of(identity);
        return caller == null ? "unknown" : String.valueOf(caller.username());
    }
}
