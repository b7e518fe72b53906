package io.alveolus.portal.client;

import io.alveolus.common.api.AnalysisView;
import io.alveolus.common.api.Page;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The results service, called with the logged-in user's own token (tenant and role checks happen there). */
@RegisterRestClient(configKey = "results")
@RegisterProvider(UserTokenPropagation.class)
@Path("/api/analyses")
public interface ResultsClient {
    @GET
    Page<AnalysisView> list(@QueryParam("triage") boolean triage, @QueryParam("status") String status,
                            @QueryParam("page") int page, @QueryParam("size") int size);

    @GET
    @Path("/{id}")
    AnalysisView get(@PathParam("id") String id);
}
