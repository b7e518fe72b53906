package io.alveolus.ingest.dimse;

import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TransferSyntax;
import io.alveolus.common.api.UploadReceipt;
import io.alveolus.common.metrics.TenantTags;
import io.alveolus.common.problem.ClientFaults;
import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.ingest.service.IngestService;
import io.alveolus.interop.DicomImage;
import io.alveolus.interop.DicomMetadata;
import io.alveolus.interop.DicomRejected;
import io.alveolus.persistence.TenantContext;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;

/**
 * One received C-STORE instance through the same path as a STOW-RS instance: {@code DicomImage.inspect}, then
 * {@code IngestService.ingestDicom} (validation contract, idempotency by SOP Instance UID, pseudonymisation, quotas,
 * outbox). The answer is a DIMSE status; Success only once ingest has returned, i.e. the image is stored and its
 * analysis row and event are committed.
 */
@ApplicationScoped
public class CStoreIngest {
    private static final Logger LOG = Logger.getLogger(CStoreIngest.class);

    @Inject
    IngestService ingest;
    @Inject
    MeterRegistry metrics;
    @Inject
    TenantTags tenantTags;

    /** The status answered and the outcome counted (a fixed set: the metric's label). */
    public record Result(int status, String outcome) {
    }

    /** A C-STORE whose data set was never kept: a SOP class the model does not read (SR, CT, presentation state). */
    public Result notAnalysed(TenantId tenant, String sopClass, String sopInstance, String calledAe, String callingAe) {
        return done(tenant, sopInstance, calledAe, callingAe, new Result(DimseStatus.SUCCESS, "not_analysed"),
                "SOP class " + sopClass + " is not analysed");
    }

    /** An instance over the validation contract's DICOM file size: refused before it was held in memory. */
    public Result tooLarge(TenantId tenant, String sopInstance, String calledAe, String callingAe) {
        return done(tenant, sopInstance, calledAe, callingAe, new Result(DimseStatus.OUT_OF_RESOURCES, "too_large"),
                "larger than the validation contract allows");
    }

    /**
     * @param dataSet the data set as received, in {@code transferSyntax}; it gets the file meta information a
     *                Part 10 file needs, as STOW-RS instances carry
     */
    @ActivateRequestContext // an association's own thread: Hibernate's session and the tenant resolver need one
    public Result store(TenantId tenant, String sopClass, String sopInstance, String transferSyntax, String calledAe,
                        String callingAe, byte[] dataSet) {
        byte[] part10;
        try {
            part10 = part10(sopClass, sopInstance, transferSyntax, callingAe, dataSet);
        } catch (Exception e) {
            return done(tenant, sopInstance, calledAe, callingAe,
                    new Result(DimseStatus.CANNOT_UNDERSTAND, "invalid"), "no file meta information can be made");
        }
        DicomMetadata inspected;
        try {
            inspected = DicomImage.inspect(part10);
        } catch (DicomRejected r) {
            return done(tenant, sopInstance, calledAe, callingAe, refused(r), r.code().name());
        }
        try {
            UploadReceipt receipt = TenantContext.call(tenant, () -> ingest.ingestDicom(tenant,
                    new IngestService.Submission(null, null, null, null), part10, inspected));
            return done(tenant, sopInstance, calledAe, callingAe,
                    new Result(DimseStatus.SUCCESS, receipt.duplicate() ? "duplicate" : "accepted"),
                    "analysis " + receipt.analysisId());
        } catch (ProblemException e) {
            return done(tenant, sopInstance, calledAe, callingAe, problem(e.status()), e.status() + " " + e.getMessage());
        } catch (RuntimeException e) {
            if (ClientFaults.databaseDown(e)) {
                return done(tenant, sopInstance, calledAe, callingAe,
                        new Result(DimseStatus.OUT_OF_RESOURCES, "unavailable"), "the database is unavailable");
            }
            LOG.errorf(e, "C-STORE of %s (called %s, calling %s) failed", sopInstance, calledAe, callingAe);
            return done(tenant, sopInstance, calledAe, callingAe,
                    new Result(DimseStatus.PROCESSING_FAILURE, "failed"), "unexpected error");
        }
    }

    /**
     * What DicomImage refuses. Out of scope for the model (CT-like modality, lateral view, colour, several frames):
     * Success, since a PACS router retries a failure for ever and the sender can do nothing about it; it is counted
     * as not analysed. Unreadable or blank: Cannot understand.
     */
    static Result refused(DicomRejected r) {
        return switch (r.code()) {
            case UNSUPPORTED_MODALITY, LATERAL_VIEW, COLOUR, MULTI_FRAME ->
                    new Result(DimseStatus.SUCCESS, "not_analysed");
            case TOO_LARGE -> new Result(DimseStatus.OUT_OF_RESOURCES, "too_large");
            case OUT_OF_RESOURCES -> new Result(DimseStatus.OUT_OF_RESOURCES, "unavailable");
            case NOT_DICOM, MALFORMED, UNSUPPORTED_TRANSFER_SYNTAX, UNSUPPORTED_PIXEL_FORMAT, DEGENERATE ->
                    new Result(DimseStatus.CANNOT_UNDERSTAND, "invalid");
        };
    }

    /** ingestDicom's problems, by HTTP status, as DIMSE statuses. */
    static Result problem(int httpStatus) {
        return switch (httpStatus) {
            case 503 -> new Result(DimseStatus.OUT_OF_RESOURCES, "unavailable");
            case 429 -> new Result(DimseStatus.OUT_OF_RESOURCES, "rate_limited");
            case 413 -> new Result(DimseStatus.OUT_OF_RESOURCES, "too_large");
            case 402, 403 -> new Result(DimseStatus.NOT_AUTHORIZED, "not_authorized");
            case 400, 415, 422 -> new Result(DimseStatus.CANNOT_UNDERSTAND, "invalid");
            default -> new Result(DimseStatus.PROCESSING_FAILURE, "failed");
        };
    }

    /** Preamble, "DICM", file meta information (explicit VR little endian), then the data set as it came. */
    static byte[] part10(String sopClass, String sopInstance, String transferSyntax, String callingAe, byte[] dataSet)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(dataSet.length + 512);
        FileMetaInformation meta = new FileMetaInformation(sopClass, sopInstance, transferSyntax, callingAe);
        DicomOutputStream dout = new DicomOutputStream(out, TransferSyntax.ExplicitVRLittleEndian, null);
        meta.getAttributeList().write(dout);
        dout.flush();
        out.write(dataSet);
        return out.toByteArray();
    }

    /** Counts and logs one instance: identifiers and titles only, never a patient's data. */
    private Result done(TenantId tenant, String sopInstance, String calledAe, String callingAe, Result result,
                        String detail) {
        metrics.counter("alveolus.dimse.instances", "tenant", tenantTags.of(tenant), "outcome", result.outcome())
                .increment();
        LOG.infof("C-STORE %s called=%s calling=%s tenant=%s status=%04X %s: %s", sopInstance, calledAe, callingAe,
                tenant, result.status(), result.outcome(), detail);
        return result;
    }
}
