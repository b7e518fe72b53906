package io.alveolus.results.analysis;

import io.alveolus.model.Heatmaps;
import io.alveolus.persistence.Analysis;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;


/**
 * Draws a result's heat map from the class-activation grid the worker stored with it, when someone asks: the worker
 * renders nothing and uploads nothing per image (issue 14). A finished result never changes, so the picture is
 * cached by analysis id (bounded, least recently used first out); the caller's tenant was checked before.
 */
@ApplicationScoped
public class HeatmapRenderer {

    /** Side of the overlay (the models' input size); the portal scales it over the image. */
    public static final int SIZE = 224;

    private final RenderCache cache;
    @Inject
    MeterRegistry metrics;

    @Inject
    public HeatmapRenderer(@ConfigProperty(name = "alveolus.results.heatmap-cache-entries", defaultValue = "512")
                           int entries) {
        this.cache = new RenderCache(entries, "alveolus.results.heatmaps");
    }

    /** The PNG overlay of {@code a}'s CAM grid; {@code a} must have one. */
    public byte[] png(Analysis a) {
        return cache.get(a.id, () -> Heatmaps.png(Heatmaps.decode(a.camGrid), a.camWidth, a.camHeight, SIZE), metrics);
    }

    /**
     * The heat map over the radiograph itself, as one RGB picture (the DICOM Secondary Capture sent to a PACS):
     * the radiograph as the portal previews it ({@link PreviewRenderer#windowed}: windowed as the model saw it,
     * aspect kept, longer side at most {@code maxSide}), the overlay stretched over it as the portal does.
     * {@code a} must have a CAM grid.
     */
    public java.awt.image.BufferedImage overlay(Analysis a, java.awt.image.BufferedImage radiograph, int maxSide) {
        var grey = PreviewRenderer.windowed(radiograph, maxSide);
        int ow = grey.getWidth();
        int oh = grey.getHeight();
        var out = new java.awt.image.BufferedImage(ow, oh, java.awt.image.BufferedImage.TYPE_INT_RGB);
        var g = out.createGraphics();
        try {
            g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION,
                    java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(grey, 0, 0, null);
            float[] cam = Heatmaps.normalised(Heatmaps.decode(a.camGrid), a.camWidth, a.camHeight, SIZE);
            g.drawImage(Heatmaps.image(cam, SIZE, Heatmaps.DEFAULT_FLOOR), 0, 0, ow, oh, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
