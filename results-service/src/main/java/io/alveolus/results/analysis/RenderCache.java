package io.alveolus.results.analysis;

import io.micrometer.core.instrument.MeterRegistry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Pictures drawn from a finished result, by analysis id: a finished result never changes, so what was drawn once
 * is kept (bounded, least recently used out) and counted as hit or miss in {@code metric}. The caller's tenant was
 * checked before the id reaches here.
 */
final class RenderCache {
    private final Map<UUID, byte[]> entries;
    private final String metric;

    RenderCache(int capacity, String metric) {
        this.metric = metric;
        this.entries = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, byte[]> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The cached picture of {@code id}, or {@code render}'s (drawn outside the lock, then kept). */
    byte[] get(UUID id, Supplier<byte[]> render, MeterRegistry metrics) {
        synchronized (entries) {
            byte[] hit = entries.get(id);
            if (hit != null) {
                metrics.counter(metric, "cache", "hit").increment();
                return hit;
            }
        }
        byte[] drawn = render.get();
        metrics.counter(metric, "cache", "miss").increment();
        synchronized (entries) {
            entries.put(id, drawn);
        }
        return drawn;
    }
}
