package io.alveolus.ingest.rest;

import io.alveolus.common.api.UploadReceipt;
import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.ingest.service.IngestService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;

@Path("/api/images")
@RolesAllowed({Roles.DEVICE, Roles.RADIOLOGIST})
public class ImageResource {
    @Inject
    CallerResolver callers;
    @Inject
    IngestService ingest;

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Upload one chest X-ray (PNG, JPEG or DICOM) of a study",
            description = "The tenant is taken from the caller's token. 202: the image and its event are durable. "
                    + "200: this image was already received for this study (same analysis id). The validation "
                    + "contract is the same as STOW-RS's: PNG/JPEG files up to 20 MB, DICOM bounded by its decoded "
                    + "pixels (64 MB), sides 64 to 8192 pixels for every format.")
    @APIResponse(responseCode = "202", description = "Accepted for analysis")
    @APIResponse(responseCode = "400", description = "Missing or malformed field (priority exactly ROUTINE or "
            + "URGENT), or empty image")
    @APIResponse(responseCode = "413", description = "File larger than its format's limit")
    @APIResponse(responseCode = "415", description = "Not a PNG, JPEG or DICOM by its content, or a DICOM transfer"
            + " syntax that is not supported")
    @APIResponse(responseCode = "422", description = "Sides outside 64-8192 pixels, decoded size over the budget,"
            + " corrupt structure (PNG CRC/IEND, JPEG markers, data after the image's end), CMYK/YCCK JPEG, a blank"
            + " DICOM, a DICOM whose pixel data does not match its transfer syntax or header, or a value the analysis"
            + " cannot store (a DICOM UID that breaks DICOM's rules, a ViewPosition over 16 characters...)")
    public Response upload(@RestForm("file") FileUpload file, @RestForm String studyId, @RestForm String patientRef,
                           @RestForm String referringPhysician, @RestForm String priority,
                           @RestForm String patientAge) {
        var caller = callers.tenantCaller();
        if (file == null) {
            throw ProblemException.badRequest("a 'file' part with the image is required");
        }
        byte[] bytes;
        try {
            bytes = file.size() > 0 ? Files.readAllBytes(file.uploadedFile()) : new byte[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        UploadReceipt receipt = ingest.ingest(caller.tenant(),
                new IngestService.Submission(studyId, patientRef, referringPhysician, priority,
                        ageYears(patientAge)), bytes);
        return Response.status(receipt.duplicate() ? 200 : 202)
                .location(URI.create("/api/analyses/" + receipt.analysisId())).entity(receipt).build();
    }

    /** The optional patientAge field: whole years 0-130, digits only (the model's operating point depends on it). */
    static Integer ageYears(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        if (!s.matches("[0-9]{1,3}") || Integer.parseInt(s) > io.alveolus.interop.PatientAge.MAX_YEARS) {
            throw ProblemException.badRequest("patientAge must be whole years from 0 to "
                    + io.alveolus.interop.PatientAge.MAX_YEARS);
        }
        return Integer.parseInt(s);
    }
}
