package io.alveolus.worker.service;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When each lane last finished a batch ({@code alveolus_worker_lane_last_progress_seconds}, epoch seconds): the
 * "lane not advancing" alert compares it with the lane's consumer lag.
 */
@ApplicationScoped
public class LaneProgress {
    private final Map<Lane, AtomicLong> last = new EnumMap<>(Lane.class);

    @Inject
    public LaneProgress(MeterRegistry registry) {
        long now = System.currentTimeMillis() / 1000;
        for (Lane l : Lane.values()) {
            AtomicLong v = new AtomicLong(now);
            last.put(l, v);
            Gauge.builder("alveolus.worker.lane.last.progress.seconds", v, AtomicLong::doubleValue)
                    .tag("lane", l.tag()).description("epoch seconds when the lane last finished a batch")
                    .register(registry);
        }
    }

    public void lane(Lane lane) {
        last.get(lane).set(System.currentTimeMillis() / 1000);
    }
}
