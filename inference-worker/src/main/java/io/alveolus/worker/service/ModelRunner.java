package io.alveolus.worker.service;

import io.alveolus.model.PneumoniaModel;
import io.alveolus.model.Prediction;
import io.alveolus.model.Preprocessor;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.awt.image.BufferedImage;
import java.util.List;

/** The shipped pneumonia model, loaded once at start-up (offline: weights and natives are on the classpath). */
@Startup
@ApplicationScoped
public class ModelRunner {
    private static final Logger LOG = Logger.getLogger(ModelRunner.class);
    private final PneumoniaModel model;

    public ModelRunner() {
        try {
            model = PneumoniaModel.loadShipped();
        } catch (Exception e) {
            throw new IllegalStateException("the shipped model could not be loaded", e);
        }
        LOG.infof("model %s loaded (threshold %.4f)", version(), threshold());
    }

    public String version() {
        return model.manifest().version();
    }

    public double threshold() {
        return model.manifest().threshold();
    }

    public BufferedImage decode(byte[] bytes) throws Exception {
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
