/** Tenants: onboarding (Keycloak realm entries, subscription), the caller's own identity, and tenant settings such as per-population threshold overrides. */
package io.alveolus.results.tenant;
