package io.alveolus.common.problem;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * HTTP hygiene shared by every service, on the Vert.x router ahead of everything else (Quarkus' own body-size check
 * runs at order -2, security and JAX-RS after it):
 * <ul>
 * <li>security headers on every response, including errors and static files ({@code alveolus.http.*});</li>
 * <li>a declared body over {@code quarkus.http.limits.max-body-size} and a URI over
 * {@code alveolus.http.max-uri-length} answer 413 / 414 problem+json instead of the framework's empty body;</li>
 * <li>a failure raised below JAX-RS (multipart and form decoding, body limits) answers problem+json with the status
 * it deserves ({@link ClientFaults}), never a 500 for client input and never an internal class name.</li>
 * </ul>
 * Security exceptions are left to Quarkus, which sends its challenges (bearer 401, the portal's login redirect).
 */
@ApplicationScoped
public class HttpHygiene {
    private static final Logger LOG = Logger.getLogger(HttpHygiene.class);
    /** First, with the access log and Quarkus' own header settings: before the body handler and authentication. */
    static final int ORDER = Integer.MIN_VALUE;
    static final String TOOLS_POLICY = "default-src 'self'; script-src 'self' 'unsafe-inline'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    Optional<MemorySize> maxBodySize;
    @ConfigProperty(name = "alveolus.http.max-uri-length", defaultValue = "8192")
    int maxUriLength;
    @ConfigProperty(name = "alveolus.http.content-security-policy",
            defaultValue = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
    String contentSecurityPolicy;
    @ConfigProperty(name = "alveolus.http.referrer-policy", defaultValue = "no-referrer")
    String referrerPolicy;
    /** Strict-Transport-Security: on in production (TLS at the ingress), off for plain-HTTP dev and tests. */
    @ConfigProperty(name = "alveolus.http.hsts", defaultValue = "false")
    boolean hsts;
    @ConfigProperty(name = "alveolus.http.hsts-max-age", defaultValue = "31536000")
    long hstsMaxAge;

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::guard);
        router.route().order(ORDER).failureHandler(this::failure);
    }

    void guard(RoutingContext rc) {
        securityHeaders(rc.response());
        String path = rc.request().path();
        if (path != null && (path.startsWith("/q/swagger-ui") || path.startsWith("/q/dev-ui"))) {
            // developer tools (not in production images) bootstrap with inline script: their own, looser policy
            rc.response().headers().set("Content-Security-Policy", TOOLS_POLICY);
        }
        String uri = rc.request().uri();
        if (uri != null && uri.length() > maxUriLength) {
            problem(rc, 414, ClientFaults.detail(414), true);
            return;
        }
        String length = rc.request().getHeader("Content-Length");
        if (length != null && maxBodySize.isPresent()) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                problem(rc, 400, "the Content-Length header is not a number", true);
                return;
            }
            if (declared < 0) {
                problem(rc, 400, "the Content-Length header is negative", true);
                return;
            }
            if (declared > maxBodySize.get().asLongValue()) {
                problem(rc, 413, "the request body is larger than this service accepts ("
                        + maxBodySize.get().asLongValue() / (1024 * 1024) + " MB)", true);
                return;
            }
        }
        rc.next();
    }

    private void securityHeaders(HttpServerResponse response) {
        response.headers().set("X-Content-Type-Options", "nosniff");
        response.headers().set("X-Frame-Options", "DENY");
        response.headers().set("Referrer-Policy", referrerPolicy);
        response.headers().set("Content-Security-Policy", contentSecurityPolicy);
        if (hsts) {
            response.headers().set("Strict-Transport-Security", "max-age=" + hstsMaxAge + "; includeSubDomains");
        }
    }

    void failure(RoutingContext rc) {
        Throwable failure = rc.failure();
        if (rc.response().headWritten() || rc.response().ended()) {
            rc.next();
            return;
        }
        securityHeaders(rc.response());
        if (isSecurity(failure)) {
            String authorization = rc.request().getHeader("Authorization");
            if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                    && failure instanceof io.quarkus.security.AuthenticationFailedException) {
                // a bearer token that is not valid (junk, expired, wrong issuer or audience, bad signature)
                rc.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                problem(rc, 401, "a valid bearer token is required", false);
                return;
            }
            rc.next(); // Quarkus sends the mechanism's own challenge (the portal's login redirect)
            return;
        }
        int status = ClientFaults.clientStatus(failure);
        if (status == 0 && rc.statusCode() >= 400 && rc.statusCode() < 500) {
            status = rc.statusCode();
        }
        if (status == 0 && ClientFaults.databaseDown(failure)) {
            LOG.warnf("database unavailable on %s", rc.normalizedPath());
            rc.response().putHeader("Retry-After", "5");
            problem(rc, 503, "the database is unavailable; retry later", false);
            return;
        }
        if (status == 0) {
            LOG.errorf(failure, "unexpected failure on %s", rc.normalizedPath());
            problem(rc, 500, "an unexpected error occurred; it has been logged", false);
            return;
        }
        LOG.debugf(failure, "client fault %d on %s", status, rc.normalizedPath());
        problem(rc, status, ClientFaults.detail(status), status == 413 || status == 414 || status == 431);
    }

    private static boolean isSecurity(Throwable t) {
        for (; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getClass().getName().startsWith("io.quarkus.security.")
                    || t.getClass().getName().startsWith("io.quarkus.oidc.")) {
                return true;
            }
        }
        return false;
    }

    /** Writes a problem+json answer; {@code close} for limits, where the rest of the body is not worth reading. */
    static void problem(RoutingContext rc, int status, String detail, boolean close) {
        HttpServerResponse response = rc.response();
        String reason = io.netty.handler.codec.http.HttpResponseStatus.valueOf(status).reasonPhrase();
        String type = switch (status) {
            case 400 -> "urn:alveolus:problem:bad-request";
            case 401 -> "urn:alveolus:problem:unauthorized";
            case 413 -> "urn:alveolus:problem:too-large";
            case 500 -> "urn:alveolus:problem:internal";
            case 503 -> "urn:alveolus:problem:unavailable";
            default -> "urn:alveolus:problem:http-" + status;
        };
        JsonObject body = new JsonObject().put("type", type).put("title", reason).put("status", status)
                .put("detail", ClientFaults.clean(detail));
        String path = rc.request().path();
        if (path != null && path.length() <= 256) {
            body.put("instance", path);
        }
        response.setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE);
        if (close) {
            response.putHeader("Connection", "close");
        }
        response.end(body.encode());
    }
}
