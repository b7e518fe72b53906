package io.alveolus.results.model;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.model.ModelManifest;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** What the clinicians are told about the model: their tenant's active version, its threshold and its figures. */
@Path("/api/model")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {
    @Inject
    ModelCard card;
    @Inject
    SecurityIdentity identity;

    @GET
    @Transactional
    @Operation(summary = "The manifest of the caller's tenant's active model version: version, operating thresholds, internal-test metrics, data")
    public ModelManifest manifest() {
        ModelManifest m = card.forCaller(CallerResolver.of(identity));
        if (m == null) {
            throw ProblemException.notFound("model manifest");
        }
        return m;
    }
}
