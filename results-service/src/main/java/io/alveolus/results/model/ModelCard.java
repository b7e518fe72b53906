package io.alveolus.results.model;

import io.alveolus.common.tenancy.Caller;
import io.alveolus.model.ModelManifest;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.model.ModelRegistry;
import io.alveolus.persistence.model.ModelVersion;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The manifest a caller is told about: its tenant's active version (the registry's), so clinicians read the figures
 * of the version that produces their results; the shipped default before the registry is bootstrapped.
 */
@ApplicationScoped
public class ModelCard {
    @Inject
    ModelRegistry registry;
    @Inject
    ShippedModel shipped;

    /** Runs in a transaction. */
    public ModelManifest forCaller(Caller caller) {
        Tenant t = caller == null || caller.tenant() == null ? null : Tenant.findById(caller.tenant().value());
        String id = ModelRegistry.assignmentOf(t, registry.platformDefault().orElse(shipped.version())).active();
        ModelManifest m = registry.find(id).map(v -> parse(v.manifest)).orElse(null);
        return m != null ? m : shipped.manifest();
    }

    static ModelManifest parse(String manifestJson) {
        if (manifestJson == null) {
            return null;
        }
        try {
            return ModelManifest.read(new ByteArrayInputStream(manifestJson.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            return null;
        }
    }

    /** The manifest of a registered version, or null. */
    public ModelManifest of(String versionId) {
        return registry.find(versionId).map((ModelVersion v) -> parse(v.manifest)).orElse(null);
    }
}
