package io.alveolus.results.analysis;

import io.alveolus.model.Heatmaps;
import io.alveolus.persistence.Analysis;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Draws a result's heat map from the class-activation grid the worker stored with it, when someone asks: the worker
 * renders nothing and uploads nothing per image (issue 14). A finished result never changes, so the picture is
 * cached by analysis id (bounded, least recently used first out); the caller's tenant was checked before.
 */
@ApplicationScoped
public class HeatmapRenderer {

    /** Side of the overlay (the models' input size); the portal scales it over the image. */
    public static final int SIZE = 224;

    private final Map<UUID, byte[]> cache;
    @Inject
    MeterRegistry metrics;

    @Inject
    public HeatmapRenderer(@ConfigProperty(name = "alveolus.results.heatmap-cache-entries", defaultValue = "512")
                           int entries) {
        this.cache = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, byte[]> eldest) {
                return size() > entries;
            }
        };
    }

    /** The PNG overlay of {@code a}'s CAM grid; {@code a} must have one. */
    public byte[] png(Analysis a) {
        synchronized (cache) {
            byte[] hit = cache.get(a.id);
            if (hit != null) {
                metrics.counter("alveolus.results.heatmaps", "cache", "hit").increment();
                return hit;
            }
        }
        byte[] png = Heatmaps.png(Heatmaps.decode(a.camGrid), a.camWidth, a.camHeight, SIZE);
        metrics.counter("alveolus.results.heatmaps", "cache", "miss").increment();
        synchronized (cache) {
            cache.put(a.id, png);
        }
        return png;
    }

    /**
     * The heat map over the radiograph itself, as one RGB picture (the DICOM Secondary Capture sent to a PACS):
     * the radiograph at its own aspect, its longer side at most {@code maxSide}, the overlay stretched over it as the
     * portal does. {@code a} must have a CAM grid.
     */
    public java.awt.image.BufferedImage overlay(Analysis a, java.awt.image.BufferedImage radiograph, int maxSide) {
        int w = radiograph.getWidth();
        int h = radiograph.getHeight();
        double scale = Math.min(1.0, (double) maxSide / Math.max(w, h));
        int ow = Math.max(1, (int) Math.round(w * scale));
        int oh = Math.max(1, (int) Math.round(h * scale));
        var out = new java.awt.image.BufferedImage(ow, oh, java.awt.image.BufferedImage.TYPE_INT_RGB);
        var g = out.createGraphics();
        try {
            g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION,
                    java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(radiograph, 0, 0, ow, oh, null);
            float[] cam = Heatmaps.normalised(Heatmaps.decode(a.camGrid), a.camWidth, a.camHeight, SIZE);
            g.drawImage(Heatmaps.image(cam, SIZE, Heatmaps.DEFAULT_FLOOR), 0, 0, ow, oh, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
