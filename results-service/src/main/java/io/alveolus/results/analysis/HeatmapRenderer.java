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
}
