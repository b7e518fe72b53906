package io.alveolus.results.tenant;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.results.subscription.Subscriptions;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.persistence.Plan;
import io.alveolus.persistence.Tenant;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.GroupRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;

import java.util.List;
import java.util.Map;

/**
 * Creates a hospital on the platform: its Keycloak group, its device client (client credentials, tenant claim
 * fixed by a mapper, device role), its storage prefix and its registry row with default settings and the limits
 * of its plan.
 */
@ApplicationScoped
public class TenantOnboarding {
    private static final Logger LOG = Logger.getLogger(TenantOnboarding.class);

    @Inject
    Keycloak keycloak;
    @Inject
    ObjectStore store;
    @ConfigProperty(name = "alveolus.keycloak.realm")
    String realmName;

    public record Onboarded(String id, String name, String deviceClientId, String deviceClientSecret, int retentionDays,
                            String plan) {
    }

    public Onboarded onboard(String id, String name, Integer retentionDays, String planId) {
        if (!TenantId.isValid(id)) {
            throw ProblemException.badRequest("id must be 2-63 lower-case letters, digits or '-'");
        }
        if (name == null || name.isBlank() || name.length() > 200) {
            throw ProblemException.badRequest("name is required (at most 200 characters)");
        }
        int retention = retentionDays == null ? 3650 : retentionDays;
        if (retention < 1 || retention > 36500) {
            throw ProblemException.badRequest("retentionDays must be between 1 and 36500");
        }
        // checked before Keycloak is touched, so a wrong plan leaves nothing half-created
        Plan plan = QuarkusTransaction.requiringNew().call(
                () -> Subscriptions.plan(planId == null ? Subscriptions.DEFAULT_PLAN : planId));
        TenantId tenant = new TenantId(id);
        if (QuarkusTransaction.requiringNew().call(() -> Tenant.findById(id)) != null) {
            throw new ProblemException(409, "urn:alveolus:problem:conflict", "Conflict", "tenant " + id + " exists");
        }
        RealmResource realm = keycloak.realm(realmName);
        String clientId = "device-" + id;

        GroupRepresentation group = new GroupRepresentation();
        group.setName("tenant-" + id);
        group.setAttributes(Map.of(CallerResolver.TENANT_CLAIM, List.of(id)));
        try (Response r = realm.groups().add(group)) {
            if (r.getStatus() != 201 && r.getStatus() != 409) {
                throw ProblemException.unavailable("Keycloak refused the tenant group (" + r.getStatus() + ")");
            }
        }

        ClientRepresentation client = new ClientRepresentation();
        client.setClientId(clientId);
        client.setName(name + " devices");
        client.setPublicClient(false);
        client.setServiceAccountsEnabled(true);
        client.setStandardFlowEnabled(false);
        client.setDirectAccessGrantsEnabled(false);
        client.setProtocolMappers(List.of(
                mapper("tenant", "oidc-hardcoded-claim-mapper", Map.of("claim.name", CallerResolver.TENANT_CLAIM,
                        "claim.value", id, "jsonType.label", "String", "access.token.claim", "true",
                        "id.token.claim", "false", "introspection.token.claim", "true")),
                mapper("audience-alveolus-api", "oidc-audience-mapper", Map.of("included.custom.audience",
                        "alveolus-api", "access.token.claim", "true", "introspection.token.claim", "true"))));
        String internalId;
        try (Response r = realm.clients().create(client)) {
            if (r.getStatus() != 201) {
                throw ProblemException.unavailable("Keycloak refused the device client (" + r.getStatus() + ")");
            }
            String location = r.getLocation().getPath();
            internalId = location.substring(location.lastIndexOf('/') + 1);
        }
        var clientResource = realm.clients().get(internalId);
        var serviceAccount = clientResource.getServiceAccountUser();
        realm.users().get(serviceAccount.getId()).roles().realmLevel()
                .add(List.of(realm.roles().get(Roles.DEVICE).toRepresentation()));
        String secret = clientResource.getSecret().getValue();

        store.put(tenant, ObjectStore.prefix(tenant) + ".tenant", id.getBytes(), "text/plain");
        QuarkusTransaction.requiringNew().run(() -> {
            Tenant t = new Tenant();
            t.id = id;
            t.name = name;
            t.retentionDays = retention;
            t.deviceClientId = clientId;
            plan.applyTo(t);
            t.persist();
        });
        LOG.infof("onboarded tenant %s on plan %s with device client %s", id, plan.id, clientId);
        return new Onboarded(id, name, clientId, secret, retention, plan.id);
    }

    private static ProtocolMapperRepresentation mapper(String name, String type, Map<String, String> config) {
        ProtocolMapperRepresentation m = new ProtocolMapperRepresentation();
        m.setName(name);
        m.setProtocol("openid-connect");
        m.setProtocolMapper(type);
        m.setConfig(config);
        return m;
    }
}
