package io.alveolus.portal.web;

import io.alveolus.common.problem.Problem;
import io.alveolus.portal.backend.BackendException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** A backend's error goes to the browser with its status and detail (never a bare 500). */
public class Errors {
    @ServerExceptionMapper
    public Response backend(BackendException e) {
        int status = e.status() >= 400 && e.status() < 600 ? e.status() : 502;
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem("urn:alveolus:problem:backend", "Backend error", status, e.getMessage(), null))
                .build();
    }
}
