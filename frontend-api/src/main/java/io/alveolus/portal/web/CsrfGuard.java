package io.alveolus.portal.web;

import io.alveolus.common.problem.Problem;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.net.URI;
import java.util.Set;

/**
 * CSRF protection of the state-changing BFF endpoints: they must be called by the portal's own scripts, which send
 * a custom header (a cross-site form or image cannot, and no CORS is configured), and, when the browser says where
 * the request comes from, from this very origin.
 */
public class CsrfGuard {
    public static final String HEADER = "X-Alveolus-Csrf";
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    @ServerRequestFilter
    public Response check(ContainerRequestContext request) {
        if (SAFE.contains(request.getMethod())) {
            return null;
        }
        String header = request.getHeaderString(HEADER);
        String origin = request.getHeaderString("Origin");
        String host = request.getHeaderString("Host");
        boolean sameOrigin = origin == null || sameHost(origin, host);
        if (!"1".equals(header) || !sameOrigin) {
            return Response.status(403).type(Problem.MEDIA_TYPE)
                    .entity(new Problem("urn:alveolus:problem:csrf", "Forbidden", 403,
                            "state-changing requests must come from the portal's own pages", null))
                    .build();
        }
        return null;
    }

    static boolean sameHost(String origin, String host) {
        try {
            URI o = URI.create(origin);
            String authority = o.getPort() == -1 ? o.getHost() : o.getHost() + ":" + o.getPort();
            return host != null && host.equalsIgnoreCase(authority);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
