package io.alveolus.ingest.service;

import io.alveolus.common.api.UploadReceipt;
import io.alveolus.common.events.ImageReceived;
import io.alveolus.common.events.Priority;
import io.alveolus.common.imaging.ImageInspector;
import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.storage.ObjectStoreException;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.ingest.messaging.ImageEvents;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.AnalysisRepository;
import io.alveolus.persistence.AnalysisStatus;
import io.alveolus.persistence.Tenant;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.configuration.MemorySize;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Validate everything first, then make the image durable, then the event, then the queued row. Each step is
 * idempotent (content-addressed object, id derived from tenant+study+hash), so a client retrying after any
 * failure ends with exactly one analysis.
 */
@ApplicationScoped
public class IngestService {
    private static final Logger LOG = Logger.getLogger(IngestService.class);
    private static final Pattern REF = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$");

    @Inject
    ObjectStore store;
    @Inject
    ImageEvents events;
    @Inject
    AnalysisRepository analyses;
    @ConfigProperty(name = "alveolus.ingest.max-image-bytes")
    MemorySize maxImageBytes;

    public record Submission(String studyId, String patientRef, String referringPhysician, String priority) {
    }

    public UploadReceipt ingest(TenantId tenant, Submission s, byte[] image) {
        Tenant registered = Tenant.findById(tenant.value());
        if (registered == null || !registered.active()) {
            throw ProblemException.forbidden(registered == null ? "this tenant is not registered on Alveolus"
                    : "this tenant's subscription is suspended");
        }
        if (image == null || image.length == 0) {
            throw ProblemException.badRequest("the image is empty");
        }
        if (image.length > maxImageBytes.asLongValue()) {
            throw ProblemException.tooLarge("the image is " + image.length + " bytes; the limit is "
                    + maxImageBytes.asLongValue() + " bytes");
        }
        String studyId = requireRef("studyId", s.studyId());
        String patientRef = requireRef("patientRef", s.patientRef());
        String physician = s.referringPhysician() == null || s.referringPhysician().isBlank() ? null
                : requireRef("referringPhysician", s.referringPhysician());
        Priority priority;
        try {
            priority = Priority.parse(s.priority());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("priority must be ROUTINE or URGENT");
        }
        ImageInspector.Inspection inspection;
        try {
            inspection = ImageInspector.inspect(image);
        } catch (ImageInspector.Rejected r) {
            throw r.unsupported() ? ProblemException.unsupportedMedia(r.getMessage())
                    : ProblemException.unprocessable(r.getMessage());
        }

        String sha = sha256(image);
        var id = Analysis.idFor(tenant.value(), studyId, sha);
        var existing = analyses.find(tenant, id);
        if (existing.isPresent()) {
            return new UploadReceipt(id, existing.get().status.name(), sha, true);
        }
        String key = ObjectStore.imageKey(tenant, sha);
        Instant now = Instant.now();
        var event = new ImageReceived(id, tenant.value(), studyId, patientRef, physician, priority, key, sha,
                inspection.format().mediaType(), image.length, now);
        try {
            if (!store.exists(tenant, key)) {
                store.put(tenant, key, image, inspection.format().mediaType());
            }
        } catch (ObjectStoreException e) {
            LOG.warnf("object store unavailable for analysis %s: %s", id, e.getMessage());
            throw ProblemException.unavailable("the image store is unavailable; retry later");
        }
        try {
            events.publish(event);
        } catch (RuntimeException e) {
            LOG.warnf("event publish failed for analysis %s: %s", id, e.toString());
            throw ProblemException.unavailable("the message broker is unavailable; retry later");
        }
        boolean inserted = QuarkusTransaction.requiringNew().call(() -> analyses.insertQueued(event));
        LOG.infof("accepted analysis %s tenant=%s format=%s %dx%d bytes=%d", id, tenant, inspection.format(),
                inspection.width(), inspection.height(), image.length);
        return new UploadReceipt(id, AnalysisStatus.QUEUED.name(), sha, !inserted);
    }

    private static String requireRef(String name, String value) {
        if (value == null || value.isBlank()) {
            throw ProblemException.badRequest(name + " is required");
        }
        if (!REF.matcher(value).matches()) {
            throw ProblemException.badRequest(name + " must be 1-64 characters of letters, digits and . _ : -");
        }
        return value;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)).toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
