package io.alveolus.results.model;

import io.alveolus.model.ModelManifest;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The default shipped model's manifest (version, populations, validated ranges), read from the model jar; no inference here. */
@ApplicationScoped
public class ShippedModel {
    static final String MANIFEST = ModelManifest.shippedResource(ModelManifest.DEFAULT_VERSION) + "manifest.json";
    private final ModelManifest manifest;

    public ShippedModel() {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(MANIFEST)) {
            manifest = in == null ? null : ModelManifest.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String version() {
        return manifest == null ? null : manifest.version();
    }

    public double threshold() {
        return manifest == null ? Double.NaN : manifest.threshold();
    }

    public double[] validatedThresholdRange() {
        return manifest == null ? null : manifest.validatedThresholdRange();
    }

    public ModelManifest manifest() {
        return manifest;
    }
}
