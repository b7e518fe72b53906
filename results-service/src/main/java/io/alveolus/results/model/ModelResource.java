package io.alveolus.results.model;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.model.ModelManifest;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** What the clinicians are told about the model: version, threshold and its validated metrics. */
@Path("/api/model")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {
    @Inject
    ShippedModel model;

    @GET
    @Operation(summary = "The shipped model's manifest: version, operating threshold, validation metrics, data")
    public ModelManifest manifest() {
        if (model.manifest() == null) {
            throw ProblemException.notFound("model manifest");
        }
        return model.manifest();
    }
}
