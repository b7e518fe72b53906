package io.alveolus.ingest.rest;

import io.alveolus.common.api.UploadReceipt;
import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.ingest.service.IngestService;
import io.alveolus.interop.DicomImage;
import io.alveolus.interop.DicomMetadata;
import io.alveolus.interop.DicomRejected;
import io.alveolus.interop.MultipartRelated;
import io.alveolus.interop.StowResponse;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * DICOMweb STOW-RS: a PACS or modality stores one or more instances in one multipart/related request. Each
 * instance is accepted or refused on its own; the answer lists both, as the standard requires. Each instance meets
 * exactly the validation contract of {@code /api/images} (common's ImageLimits; see docs/operations.md).
 */
@Path("/api/dicomweb/studies")
@RolesAllowed({Roles.DEVICE, Roles.RADIOLOGIST})
public class StowResource {
    private static final Logger LOG = Logger.getLogger(StowResource.class);

    @Inject
    CallerResolver callers;
    @Inject
    IngestService ingest;

    @POST
    @Consumes("multipart/related")
    @Produces(StowResponse.MEDIA_TYPE)
    @Operation(summary = "STOW-RS: store DICOM instances (multipart/related; type=\"application/dicom\")",
            description = "200: all stored; 202: some failed; 409: none stored. Tenant from the token.")
    public Response store(byte[] body, @HeaderParam("Content-Type") String contentType) {
        var caller = callers.tenantCaller();
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).contains("application/dicom")) {
            throw ProblemException.unsupportedMedia("expected multipart/related; type=\"application/dicom\"");
        }
        var parts = parse(body, contentType);
        StowResponse response = new StowResponse();
        for (var part : parts) {
            // The same validation contract as /api/images, per instance: the header and structure check here
            // names the instance and its refusal code in the STOW answer; ingestDicom then goes on exactly as an
            // upload's DICOM does after that same check.
            DicomMetadata dicom;
            try {
                dicom = DicomImage.inspect(part.body());
            } catch (DicomRejected r) {
                LOG.infof("STOW instance refused for tenant %s: %s", caller.tenant(), r.code());
                response.rejected(null, null, r);
                continue;
            }
            String sopClass = dicom.sopClassUid();
            String sop = dicom.sopInstanceUid();
            try {
                UploadReceipt receipt = ingest.ingestDicom(caller.tenant(),
                        new IngestService.Submission(null, null, null, null), part.body(), dicom);
                response.accepted(sopClass, sop, "/api/analyses/" + receipt.analysisId());
            } catch (ProblemException e) {
                // 422: a value the analysis cannot store (an invalid UID, a ViewPosition too long...): this instance
                // fails, nothing of it is stored or published, the other instances go on
                int reason = e.status() == 503 ? StowResponse.FAILURE_OUT_OF_RESOURCES
                        : e.status() == 413 ? StowResponse.FAILURE_OUT_OF_RESOURCES
                        : e.status() == 415 ? StowResponse.FAILURE_TRANSFER_SYNTAX_NOT_SUPPORTED
                        : e.status() == 422 ? StowResponse.FAILURE_DATASET_DOES_NOT_MATCH_SOP_CLASS
                        : StowResponse.FAILURE_PROCESSING;
                LOG.infof("STOW instance refused for tenant %s (%d): %s", caller.tenant(), e.status(), e.getMessage());
                response.failed(sopClass, sop, reason);
            }
        }
        return Response.status(response.httpStatus()).type(StowResponse.MEDIA_TYPE).entity(response.toJson()).build();
    }

    private static java.util.List<MultipartRelated.Part> parse(byte[] body, String contentType) {
        try {
            var parts = MultipartRelated.parse(body, contentType);
            if (parts.isEmpty()) {
                throw ProblemException.badRequest("the request holds no DICOM instance");
            }
            return parts;
        } catch (MultipartRelated.MalformedMultipartException e) {
            throw ProblemException.badRequest("malformed multipart/related body: " + e.getMessage());
        }
    }
}
