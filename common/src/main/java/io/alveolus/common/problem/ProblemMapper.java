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
        Response r = respond(new Problem(e.type(), e.title(), e.status(), ClientFaults.clean(e.getMessage()), path(uri)));
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
        if (family == Response.Status.Family.SERVER_ERROR) {
            LOG.errorf(e, "server error %d on %s", status, path(uri));
            return respond(new Problem("urn:alveolus:problem:http-" + status, reason, status,
                    "the request could not be completed", path(uri)));
        }
        return respond(new Problem("urn:alveolus:problem:http-" + status, reason, status,
                ClientFaults.clean(e.getMessage()), path(uri)));
    }

    /** A body that is not the JSON the endpoint reads (e.g. {@code [1,2]} for an object): 400, never Jackson's text. */
    @ServerExceptionMapper
    public Response badJson(com.fasterxml.jackson.core.JacksonException e, @Context UriInfo uri) {
        return respond(new Problem("urn:alveolus:problem:bad-request", "Bad request", 400,
                "the request body is not the JSON this endpoint expects", path(uri)));
    }

    @ServerExceptionMapper
    public Response badJsonInput(com.fasterxml.jackson.databind.exc.MismatchedInputException e, @Context UriInfo uri) {
        return badJson(e, uri);
    }

    /** Input nested beyond what a parser follows is the client's fault, and its name is nobody's business. */
    @ServerExceptionMapper
    public Response tooDeep(StackOverflowError e, @Context UriInfo uri) {
        return respond(new Problem("urn:alveolus:problem:bad-request", "Bad request", 400,
                "the request is nested too deeply to process", path(uri)));
    }

    @ServerExceptionMapper(priority = 10_000)
    public Response unexpected(RuntimeException e, @Context UriInfo uri) {
        int clientStatus = ClientFaults.clientStatus(e);
        if (clientStatus != 0) {
            LOG.debugf(e, "client fault %d on %s", clientStatus, path(uri));
            return respond(new Problem(clientStatus == 413 ? "urn:alveolus:problem:too-large" : "urn:alveolus:problem:bad-request",
                    Response.Status.fromStatusCode(clientStatus) == null ? "Bad request"
                            : Response.Status.fromStatusCode(clientStatus).getReasonPhrase(),
                    clientStatus, ClientFaults.detail(clientStatus), path(uri)));
        }
        if (ClientFaults.databaseDown(e)) {
            // a database outage is transient: tell the client to retry, do not blame its request
            LOG.warnf("database unavailable on %s: %s", path(uri), e.getMessage());
            return Response.fromResponse(respond(new Problem("urn:alveolus:problem:unavailable",
                    "Service unavailable", 503, "the database is unavailable; retry later", path(uri))))
                    .header("Retry-After", "5").build();
        }
        LOG.errorf(e, "unexpected error on %s", path(uri));
        return respond(new Problem("urn:alveolus:problem:internal", "Internal error", 500,
                "an unexpected error occurred; it has been logged", path(uri)));
    }

    private static String path(UriInfo uri) {
        String p = uri == null ? null : uri.getPath();
        return p == null || p.length() > 256 ? null : p;
    }

    private static Response respond(Problem p) {
        return Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p).build();
    }
}
