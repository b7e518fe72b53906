package io.alveolus.common.problem;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** One error format for all services: problem+json, no stack traces, no patient data. */
public class ProblemMapper {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e, @Context UriInfo uri) {
        Response r = respond(new Problem(e.type(), e.title(), e.status(), e.getMessage(), path(uri)));
        return e.retryAfterSeconds() == null ? r
                : Response.fromResponse(r).header("Retry-After", e.retryAfterSeconds()).build();
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, @Context UriInfo uri) {
        return respond(new Problem("urn:alveolus:problem:unauthorized", "Unauthorized", 401,
                "a valid bearer token is required", path(uri)));
    }

    @ServerExceptionMapper
    public Response authFailed(AuthenticationFailedException e, @Context UriInfo uri) {
        return unauthorized(new UnauthorizedException(), uri);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, @Context UriInfo uri) {
        return respond(new Problem("urn:alveolus:problem:forbidden", "Forbidden", 403,
                "your role does not allow this", path(uri)));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, @Context UriInfo uri) {
        int status = e.getResponse().getStatus();
        Response.Status.Family family = Response.Status.Family.familyOf(status);
        if (family == Response.Status.Family.REDIRECTION || family == Response.Status.Family.SUCCESSFUL) {
            return e.getResponse();
        }
        String reason = e.getResponse().getStatusInfo().getReasonPhrase();
        return respond(new Problem("urn:alveolus:problem:http-" + status, reason, status, e.getMessage(), path(uri)));
    }

    @ServerExceptionMapper(priority = 10_000)
    public Response unexpected(RuntimeException e, @Context UriInfo uri) {
        for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof java.sql.SQLException) {
                // a database outage is transient: tell the client to retry, do not blame its request
                LOG.warnf("database unavailable on %s: %s", path(uri), t.getMessage());
                return Response.fromResponse(respond(new Problem("urn:alveolus:problem:unavailable",
                        "Service unavailable", 503, "the database is unavailable; retry later", path(uri))))
                        .header("Retry-After", "5").build();
            }
        }
        LOG.errorf(e, "unexpected error on %s", path(uri));
        return respond(new Problem("urn:alveolus:problem:internal", "Internal error", 500,
                "an unexpected error occurred; it has been logged", path(uri)));
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getPath();
    }

    private static Response respond(Problem p) {
        return Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p).build();
    }
}
