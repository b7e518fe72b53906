package io.alveolus.worker.service;

import io.alveolus.common.imaging.ImageFormat;
import io.alveolus.interop.DicomImage;
import io.alveolus.model.PneumoniaModel;
import io.alveolus.model.Prediction;
import io.alveolus.model.Preprocessor;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;

/** The shipped pneumonia model, loaded once at start-up (offline: weights and natives are on the classpath). */
@Startup
@ApplicationScoped
public class ModelRunner {
    private static final Logger LOG = Logger.getLogger(ModelRunner.class);
    private final PneumoniaModel model;

    @Inject
    public ModelRunner(@ConfigProperty(name = "alveolus.model.version") Optional<String> expectedVersion) {
        try {
            model = PneumoniaModel.loadShipped();
        } catch (Exception e) {
            throw new IllegalStateException("the shipped model could not be loaded", e);
        }
        // A deployment that asks for one model version must not silently run another.
        if (expectedVersion.isPresent() && !expectedVersion.get().isBlank()
                && !expectedVersion.get().equals(version())) {
            model.close();
            throw new IllegalStateException("configured model version " + expectedVersion.get()
                    + " but this worker image ships " + version());
        }
        LOG.infof("model %s loaded (threshold %.4f)", version(), threshold());
    }

    public String version() {
        return model.manifest().version();
    }

    public double threshold() {
        return model.manifest().threshold();
    }

    /** PNG/JPEG through ImageIO; DICOM through its LUT pipeline to a display-ready grey image (same as ingest's check). */
    public BufferedImage decode(byte[] bytes) throws Exception {
        if (ImageFormat.sniff(bytes).orElse(null) == ImageFormat.DICOM) {
            return DicomImage.decode(bytes).image();
        }
        return Preprocessor.decode(bytes);
    }

    public List<Prediction> predict(List<BufferedImage> images) {
        return model.predict(images);
    }

    public byte[] heatmapPng(Prediction p) {
        return model.heatmapPng(p);
    }

    @PreDestroy
    void close() {
        model.close();
    }
}
