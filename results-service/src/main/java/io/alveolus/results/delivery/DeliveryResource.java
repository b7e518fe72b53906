package io.alveolus.results.delivery;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.persistence.audit.Audited;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Whether results got to the hospital: tenant admins see their own tenant's deliveries (the outbox's {@code pacs}
 * rows: PENDING, RETRYING with the PACS's last answer, DELIVERED, DEAD). No patient data: analysis ids,
 * destinations, states. Destinations themselves: {@link PacsDestinationResource}.
 */
@Path("/api/deliveries")
@Produces(MediaType.APPLICATION_JSON)
public class DeliveryResource {
    @Inject
    CallerResolver callers;
    @Inject
    PacsDestinations destinations;
    @Inject
    EntityManager em;

    /** {@code study}: the Study Instance UID of a study-level report (kind STUDY_SR; its analysisId is the image
     * whose completion last re-opened it), else null. */
    public record DeliveryView(UUID analysisId, String destination, String kind, String modelVersion, String state,
                               int attempts, String lastError, Instant createdAt, Instant nextAttemptAt,
                               Instant deliveredAt, Instant deadAt, String study) {
    }

    @GET
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    @Operation(summary = "This tenant's deliveries of AI results to its PACS, newest first (at most 200)")
    public List<DeliveryView> deliveries(@QueryParam("analysisId") UUID analysisId) {
        String tenant = callers.tenantCaller().tenant().value();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                select subject, payload, attempts, last_error, created_at, next_attempt_at, published_at, dead_at
                from outbox_event where channel = :channel and tenant = :tenant
                  and (cast(:analysis as varchar) is null or subject = cast(:analysis as varchar))
                order by id desc limit 200""")
                .setParameter("channel", Delivery.CHANNEL).setParameter("tenant", tenant)
                .setParameter("analysis", analysisId == null ? null : analysisId.toString()).getResultList();
        List<DeliveryView> out = new ArrayList<>();
        for (Object[] r : rows) {
            Delivery d = Delivery.parse((String) r[1]);
            int attempts = ((Number) r[2]).intValue();
            Instant published = io.alveolus.persistence.NativeRows.instant(r[6]);
            Instant dead = io.alveolus.persistence.NativeRows.instant(r[7]);
            String state = published != null ? "DELIVERED" : dead != null ? "DEAD" : attempts > 0 ? "RETRYING" : "PENDING";
            out.add(new DeliveryView(d.analysisId(), d.destination(), d.kind().name(), d.modelVersion(), state,
                    attempts, (String) r[3], io.alveolus.persistence.NativeRows.instant(r[4]), io.alveolus.persistence.NativeRows.instant(r[5]), published, dead, d.study()));
        }
        return out;
    }

}
