package io.alveolus.results.feedback;

import io.alveolus.common.problem.Params;
import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.persistence.audit.Audited;
import io.alveolus.persistence.feedback.FeedbackExport;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A tenant's feedback exports, for platform operators: make one (only under the tenant's ACTIVE data-use agreement),
 * list them, download one. The zip holds de-identified images and labels only; which analysis became which sample is
 * in the operator's record (feedback_export_item), never in the zip.
 */
@Path("/api/admin/tenants/{tenant}/feedback-exports")
@RolesAllowed(Roles.PLATFORM_OPERATOR)
@Produces(MediaType.APPLICATION_JSON)
public class FeedbackExportResource {
    @Inject
    FeedbackExports exports;
    @Inject
    ObjectStore store;
    @Inject
    SecurityIdentity identity;

    /** Optional period by when studies were received (ISO-8601 instants), inside the agreement's own. */
    public record ExportRequest(String from, String to) {
    }

    public record ExportView(UUID id, String tenant, long agreementId, String termsVersion, Instant periodFrom,
                             Instant periodTo, int included, int leftOutBurnedIn, int leftOutUnreadable,
                             long sizeBytes, String sha256, String createdBy, Instant createdAt, Instant expiresAt,
                             Instant deletedAt, String download) {
        static ExportView of(FeedbackExport e) {
            return new ExportView(e.id, e.tenant, e.agreementId, e.termsVersion, e.periodFrom, e.periodTo,
                    e.included, e.leftOutBurnedIn, e.leftOutUnreadable, e.sizeBytes, e.sha256, e.createdBy,
                    e.createdAt, e.expiresAt, e.deletedAt,
                    e.deletedAt != null ? null : "/api/admin/tenants/" + e.tenant + "/feedback-exports/" + e.id);
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Audited(value = "feedback-export.create", resource = "tenant")
    @Operation(summary = "Exports the tenant's radiologist-reviewed COMPLETED studies under its ACTIVE data-use agreement as a de-identified, training-ready zip (409 without one); optional body {from, to}")
    public Response create(@PathParam("tenant") String tenant, ExportRequest req) {
        Instant from = req == null ? null : Params.instant("from", req.from());
        Instant to = req == null ? null : Params.instant("to", req.to());
        var caller = CallerResolver.of(identity);
        FeedbackExport e = exports.create(tenant, from, to, caller == null ? "unknown" : caller.username());
        return Response.status(201).entity(ExportView.of(e)).build();
    }

    @GET
    @Operation(summary = "The tenant's feedback exports, newest first (expired ones keep their record)")
    public List<ExportView> list(@PathParam("tenant") String tenant) {
        return QuarkusTransaction.requiringNew().call(() -> FeedbackExport.<FeedbackExport>list(
                "tenant = ?1 order by createdAt desc", tenant).stream().map(ExportView::of).toList());
    }

    @GET
    @Path("/{id}")
    @Produces("application/zip")
    @Audited(value = "feedback-export.download", resource = "feedback_export")
    @Operation(summary = "Downloads one export's zip (410 once expired)")
    public Response download(@PathParam("tenant") String tenant, @PathParam("id") String id) {
        UUID exportId = FeedbackIds.export(id);
        FeedbackExport e = QuarkusTransaction.requiringNew().call(() -> FeedbackExport.<FeedbackExport>find(
                "id = ?1 and tenant = ?2", exportId, tenant).firstResult());
        if (e == null) {
            throw ProblemException.notFound("feedback export");
        }
        if (e.deletedAt != null) {
            throw new ProblemException(410, "urn:alveolus:problem:feedback-export-expired", "Gone",
                    "the export's zip expired on " + e.deletedAt + "; its record stays");
        }
        InputStream in = store.openFeedbackExport(e.objectKey);
        StreamingOutput body = out -> {
            try (in) {
                in.transferTo(out);
            }
        };
        return Response.ok(body, "application/zip")
                .header("Content-Disposition", "attachment; filename=\"feedback-export-" + e.id + ".zip\"")
                .header("Cache-Control", "private, no-store").build();
    }
}
