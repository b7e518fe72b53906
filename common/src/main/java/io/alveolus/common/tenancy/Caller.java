package io.alveolus.common.tenancy;

import java.util.Set;

/** Who is calling, as proven by the verified token: never taken from request parameters. */
public record Caller(String subject, String username, TenantId tenant, Set<String> roles) {

    public boolean hasRole(String role) {
        return roles.contains(role);
    }
}
