package io.alveolus.ingest.service;

import io.alveolus.common.api.UploadReceipt;
import io.alveolus.common.events.ImageReceived;
import io.alveolus.common.events.Priority;
import io.alveolus.common.events.StoredFields;
import io.alveolus.common.imaging.ImageFormat;
import io.alveolus.common.metrics.TenantTags;
import io.alveolus.common.imaging.ImageInspector;
import io.alveolus.common.imaging.ImageLimits;
import io.alveolus.interop.DicomImage;
import io.alveolus.interop.DicomMetadata;
import io.alveolus.interop.DicomRejected;
import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.storage.ObjectStoreException;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.ingest.messaging.ImageEvents;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.AnalysisIntake;
import io.alveolus.persistence.AnalysisStatus;
import io.alveolus.persistence.outbox.OutboxRelay;
import io.micrometer.core.instrument.MeterRegistry;
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
 * Validate everything first, then make the image durable, then commit the queued row with its event (the
 * transactional outbox). Each step is idempotent (content-addressed object, id derived from tenant+study+hash),
 * so a client retrying after any failure ends with exactly one analysis and one event.
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
    OutboxRelay relay;
    @Inject
    AnalysisIntake intake;
    @Inject
    SubscriptionGuard subscriptions;
    @Inject
    MeterRegistry metrics;
    @Inject
    TenantTags tenantTags;
    /** Key of the per-tenant keyed hash that replaces DICOM patient ids (a Secret in production). */
    @ConfigProperty(name = "alveolus.pseudonym.secret")
    String pseudonymSecret;

    /** {@code patientAgeYears}: optional, 0-130; a DICOM's own PatientAge / BirthDate is used when absent. */
    public record Submission(String studyId, String patientRef, String referringPhysician, String priority,
                             Integer patientAgeYears) {
        public Submission(String studyId, String patientRef, String referringPhysician, String priority) {
            this(studyId, patientRef, referringPhysician, priority, null);
        }
    }

    /** Accepts one image (PNG, JPEG or DICOM), or throws the problem that explains why not. */
    public UploadReceipt ingest(TenantId tenant, Submission s, byte[] image) {
        return counted(tenant, () -> doIngest(tenant, s, image));
    }

    /**
     * A DICOM instance its caller has already put through {@link DicomImage#inspect} (STOW-RS, whose answer names
     * each instance and its refusal code), so the header and structure walk does not run twice; everything after
     * it is the same as for {@link #ingest}. Study and patient come from the file unless the caller gives them;
     * the patient id is stored only as a keyed hash.
     */
    public UploadReceipt ingestDicom(TenantId tenant, Submission s, byte[] image, DicomMetadata inspected) {
        return counted(tenant, () -> doIngestDicom(tenant, s, image, inspected));
    }

    /** Per-tenant upload outcomes for operators; the outcome is a fixed set, the tenant label is bounded. */
    private UploadReceipt counted(TenantId tenant, java.util.function.Supplier<UploadReceipt> upload) {
        String outcome = "unavailable";
        try {
            UploadReceipt receipt = upload.get();
            outcome = receipt.duplicate() ? "duplicate" : "accepted";
            return receipt;
        } catch (ProblemException e) {
            outcome = switch (e.status()) {
                case 402 -> "payment_required";
                case 403 -> "forbidden";
                case 429 -> "rate_limited";
                case 503 -> "unavailable";
                default -> "invalid";
            };
            throw e;
        } finally {
            metrics.counter("alveolus.ingest.uploads", "tenant", tenantTags.of(tenant), "outcome", outcome).increment();
        }
    }

    /**
     * The validation contract (common's {@link ImageLimits}), the same for every entry point: {@code /api/images}
     * and STOW-RS both come here. The format by content, then its file limit, then its header and structure checks
     * (ImageInspector for PNG/JPEG, DicomImage.inspect for DICOM); nothing is decoded here, the worker does that.
     */
    private UploadReceipt doIngest(TenantId tenant, Submission s, byte[] image) {
        if (image == null || image.length == 0) {
            throw ProblemException.badRequest("the image is empty");
        }
        ImageFormat format = ImageFormat.sniff(image).orElseThrow(() -> ProblemException.unsupportedMedia(
                "not a PNG, JPEG or DICOM image (checked by its content)"));
        ImageLimits.fileSizeProblem(format, image.length).ifPresent(p -> {
            throw ProblemException.tooLarge(p);
        });
        if (format == ImageFormat.DICOM) {
            DicomMetadata dicom;
            try {
                dicom = DicomImage.inspect(image);
            } catch (DicomRejected r) {
                throw problem(r.code().httpStatus(), r.reason());
            }
            return doIngestDicom(tenant, s, image, dicom);
        }
        String studyId = requireRef("studyId", s.studyId());
        String patientRef = requireRef("patientRef", s.patientRef());
        ImageInspector.Inspection inspection;
        try {
            inspection = ImageInspector.inspect(image);
        } catch (ImageInspector.Rejected r) {
            throw problem(r.status(), r.getMessage());
        }
        String sha = sha256(image);
        var event = new ImageReceived(Analysis.idFor(tenant.value(), studyId, sha), tenant.value(), studyId,
                patientRef, physician(s), priority(s), ObjectStore.imageKey(tenant, sha), sha,
                inspection.format().mediaType(), image.length, Instant.now(), null, s.patientAgeYears());
        return accept(tenant, event, image);
    }

    /** A refusal of the validation contract as the problem its status names. */
    private static ProblemException problem(int status, String reason) {
        return switch (status) {
            case 400 -> ProblemException.badRequest(reason);
            case 413 -> ProblemException.tooLarge(reason);
            case 415 -> ProblemException.unsupportedMedia(reason);
            case 503 -> ProblemException.unavailable(reason);
            default -> ProblemException.unprocessable(reason);
        };
    }

    private UploadReceipt doIngestDicom(TenantId tenant, Submission s, byte[] image, DicomMetadata m) {
        // the identifiers first: the analysis id is derived from the SOP Instance UID
        StoredFields.dicomProblem(m.studyInstanceUid(), m.seriesInstanceUid(), m.sopInstanceUid(), m.viewPosition())
                .ifPresent(p -> {
                    throw ProblemException.unprocessable(p);
                });
        String study = s.studyId() != null && !s.studyId().isBlank() ? s.studyId()
                : m.accessionNumber() != null && !m.accessionNumber().isBlank() ? m.accessionNumber()
                : m.studyInstanceUid();
        String studyId = requireRef("studyId", study);
        String patientRef = s.patientRef() != null && !s.patientRef().isBlank() ? requireRef("patientRef", s.patientRef())
                : "PID-" + DicomMetadata.pseudonymise(pseudonymSecret, tenant.value(),
                        m.patientId() == null ? "" : m.patientId()).substring(0, 32);
        String sha = sha256(image);
        var event = new ImageReceived(Analysis.idForDicom(tenant.value(), m.sopInstanceUid()), tenant.value(), studyId,
                patientRef, physician(s), priority(s), ObjectStore.imageKey(tenant, sha), sha,
                ImageFormat.DICOM.mediaType(), image.length, Instant.now(),
                new ImageReceived.DicomRef(m.studyInstanceUid(), m.seriesInstanceUid(), m.sopInstanceUid(),
                        m.viewPosition(), m.notApplicableReason().orElse(null)),
                s.patientAgeYears() != null ? s.patientAgeYears() : m.patientAgeYears());
        return accept(tenant, event, image);
    }

    /**
     * Admission first (duplicate, standing, limits: one statement), then the object (content-addressed, so a retry
     * rewrites nothing), then the analysis row and its event in one statement (the outbox, ADR 0004): a 202 means
     * both are committed, and the relay publishes the event even if the broker is down now or this instance dies
     * next. A retry after any failure converges on one analysis and one event: before that statement nothing was
     * published; after it, admission answers the retry as a duplicate. A refused upload leaves no image behind.
     */
    private UploadReceipt accept(TenantId tenant, ImageReceived event, byte[] image) {
        StoredFields.problem(event).ifPresent(p -> {
            throw ProblemException.unprocessable(p);
        });
        var id = event.analysisId();
        var admission = subscriptions.admit(tenant, id, event.priority());
        if (admission.duplicate()) {
            return new UploadReceipt(id, admission.existingStatus(), event.sha256(), true);
        }
        if (event.priority() == Priority.URGENT && !admission.urgentLane()) {
            metrics.counter("alveolus.ingest.urgent.beyond-allowance", "tenant", tenantTags.of(tenant)).increment();
        }
        try {
            // content-addressed key: putting the same bytes again is harmless, an existence check first is a second
            // request for every image (issue 14: at most two object-store requests per image in the pipeline)
            store.put(tenant, event.imageKey(), image, event.contentType());
        } catch (ObjectStoreException e) {
            LOG.warnf("object store unavailable for analysis %s: %s", id, e.getMessage());
            throw ProblemException.unavailable("the image store is unavailable; retry later");
        }
        if (!intake.queue(event, admission.overage(), events.topic(admission.urgentLane()), event.partitionKey(),
                events.payload(event))) {
            // the same upload, sent twice at once: the other request committed first
            return new UploadReceipt(id, AnalysisStatus.QUEUED.name(), event.sha256(), true);
        }
        relay.wake();
        LOG.infof("accepted analysis %s tenant=%s type=%s bytes=%d", id, tenant, event.contentType(), image.length);
        return new UploadReceipt(id, AnalysisStatus.QUEUED.name(), event.sha256(), false);
    }

    private static String physician(Submission s) {
        return s.referringPhysician() == null || s.referringPhysician().isBlank() ? null
                : requireRef("referringPhysician", s.referringPhysician());
    }

    private static Priority priority(Submission s) {
        try {
            return Priority.parse(s.priority());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("priority must be ROUTINE or URGENT");
        }
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
