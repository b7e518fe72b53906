package io.alveolus.results.tenant;

import io.alveolus.common.tenancy.Caller;
import io.alveolus.common.tenancy.CallerResolver;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

import java.util.Map;
import java.util.TreeSet;

/** Who the verified token says the caller is: lets clients and operators check a token's tenant and roles. */
@Path("/api/me")
@Authenticated
public class MeResource {
    @Inject
    CallerResolver callers;

    @GET
    public Map<String, Object> me() {
        Caller c = callers.caller();
        return Map.of("username", String.valueOf(c.username()),
                "tenant", c.tenant() == null ? "" : c.tenant().value(),
                "roles", new TreeSet<>(c.roles()));
    }
}
