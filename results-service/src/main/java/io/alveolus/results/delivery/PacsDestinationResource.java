package io.alveolus.results.delivery;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.interop.tls.Tls;
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

/** A tenant's PACS destinations, configured by platform operators (audited). */
@Path("/api/admin/tenants/{tenant}/pacs-destinations")
@Produces(MediaType.APPLICATION_JSON)
public class PacsDestinationResource {
    @Inject
    PacsDestinations destinations;

    /** A hospital's CA bundle is a few KB; far more is not one. */
    static final int MAX_CA_PEM_CHARS = 65536;

    /**
     * A destination as the operator API takes it: {@code url} for STOW_RS, {@code host/port/calledAe} for C_STORE,
     * {@code host/port/receivingApplication} for HL7_MLLP; {@code tls} and {@code tlsCaPem} (C_STORE, HL7_MLLP) for
     * a TLS connection trusting the hospital's CA certificate (PEM; absent: the JVM's default CAs).
     */
    public record DestinationRequest(String protocol, String url, String host, Integer port, String calledAe,
                                     String callingAe, Boolean enabled, String receivingApplication,
                                     String receivingFacility, Boolean tls, String tlsCaPem) {
    }

    @GET
    @RolesAllowed(Roles.PLATFORM_OPERATOR)
    @Operation(summary = "A tenant's PACS destinations")
    public List<PacsDestinations.Destination> destinations(@PathParam("tenant") String tenant) {
        return destinations.of(tenant);
    }

    @PUT
    @Path("/{id}")
    @RolesAllowed(Roles.PLATFORM_OPERATOR)
    @Audited(value = "tenant.pacs-destination.put", resource = "tenant")
    @Operation(summary = "Creates or replaces a PACS destination of a tenant (STOW_RS: url; C_STORE: host, port, calledAe; HL7_MLLP: host, port, receivingApplication; C_STORE and HL7_MLLP: tls, tlsCaPem)")
    public PacsDestinations.Destination put(@PathParam("tenant") String tenant, @PathParam("id") String id,
                                            DestinationRequest req) {
        if (req == null || req.protocol() == null) {
            throw ProblemException.badRequest("protocol (STOW_RS or C_STORE) is required");
        }
        if (!id.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw ProblemException.badRequest("a destination id is 1-63 lower-case letters, digits and dashes");
        }
        PacsDestinations.Protocol protocol;
        try {
            protocol = PacsDestinations.Protocol.valueOf(req.protocol());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("protocol must be STOW_RS or C_STORE");
        }
        if (protocol == PacsDestinations.Protocol.STOW_RS
                && (req.url() == null || !req.url().matches("https?://[^\\s]{1,490}"))) {
            throw ProblemException.badRequest("a STOW_RS destination needs the DICOMweb base url (http or https)");
        }
        if (protocol == PacsDestinations.Protocol.C_STORE && (req.host() == null || req.port() == null
                || req.port() < 1 || req.port() > 65535 || req.calledAe() == null || !req.calledAe().matches("[ -~]{1,16}"))) {
            throw ProblemException.badRequest("a C_STORE destination needs host, port (1-65535) and calledAe (1-16 characters)");
        }
        if (protocol == PacsDestinations.Protocol.HL7_MLLP && (req.host() == null || req.port() == null
                || req.port() < 1 || req.port() > 65535 || req.receivingApplication() == null
                || !req.receivingApplication().matches("[^|^~\\\\&\\r\\n]{1,180}"))) {
            throw ProblemException.badRequest("an HL7_MLLP destination needs host, port (1-65535) and the RIS's"
                    + " receivingApplication (MSH-5, no HL7 delimiters)");
        }
        boolean tls = Boolean.TRUE.equals(req.tls());
        String caPem = req.tlsCaPem() == null || req.tlsCaPem().isBlank() ? null : req.tlsCaPem().strip();
        if (tls && protocol == PacsDestinations.Protocol.STOW_RS) {
            throw ProblemException.badRequest("tls is for C_STORE and HL7_MLLP destinations; a STOW_RS destination"
                    + " is TLS by its https url");
        }
        if (caPem != null && !tls) {
            throw ProblemException.badRequest("tlsCaPem is only used with \"tls\": true");
        }
        if (caPem != null) {
            if (caPem.length() > MAX_CA_PEM_CHARS) {
                throw ProblemException.badRequest("tlsCaPem is longer than " + MAX_CA_PEM_CHARS + " characters");
            }
            try {
                Tls.certificates(caPem);
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("tlsCaPem is not PEM X.509 certificate(s) (-----BEGIN CERTIFICATE-----"
                        + " ... -----END CERTIFICATE-----): " + e.getMessage());
            }
        }
        var existing = destinations.byId(id);
        if (existing.isPresent() && !existing.get().tenant().equals(tenant)) {
            throw ProblemException.badRequest("destination id " + id + " belongs to another tenant");
        }
        var d = new PacsDestinations.Destination(id, tenant, protocol, req.url(), req.host(), req.port(),
                req.calledAe(), req.callingAe() == null ? "ALVEOLUS" : req.callingAe(),
                req.enabled() == null || req.enabled(), req.receivingApplication(), req.receivingFacility(), tls,
                caPem);
        try {
            destinations.put(d);
        } catch (RuntimeException e) {
            throw ProblemException.badRequest("no tenant " + tenant + ", or the destination is refused");
        }
        return d;
    }

}
