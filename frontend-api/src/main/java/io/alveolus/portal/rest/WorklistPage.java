package io.alveolus.portal.rest;

import io.alveolus.portal.client.ResultsClient;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import io.quarkus.oidc.IdToken;

/** The referring physician's worklist: the tenant's analyses, flagged and urgent first in triage view. */
@Path("/")
@Authenticated
public class WorklistPage {
    @Inject
    Template worklist;
    @Inject
    @RestClient
    ResultsClient results;
    @Inject
    @IdToken
    JsonWebToken idToken;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance get(@QueryParam("triage") @DefaultValue("true") boolean triage,
                                @QueryParam("status") String status, @QueryParam("page") @DefaultValue("0") int page) {
        var analyses = results.list(triage, status == null || status.isBlank() ? null : status, Math.max(0, page), 50);
        return worklist.data("analyses", analyses).data("triage", triage)
                .data("user", idToken.getClaim("preferred_username")).data("tenant", idToken.getClaim("tenant"));
    }
}
