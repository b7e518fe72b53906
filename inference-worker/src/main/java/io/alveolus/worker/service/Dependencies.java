package io.alveolus.worker.service;

import io.smallrye.health.SmallRyeHealthReporter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheckResponse;

import java.util.ArrayList;
import java.util.List;

/**
 * Tells a shared outage from a bad message: the readiness probes of the worker's dependencies (PostgreSQL,
 * object store, Kafka, model), the same ones Kubernetes reads, asked when a message fails.
 */
@ApplicationScoped
public class Dependencies {
    @Inject
    SmallRyeHealthReporter health;

    /** Names of the readiness checks that are down now; empty when every dependency is up. */
    public List<String> down() {
        List<String> down = new ArrayList<>();
        var report = health.getReadiness();
        if (report.isDown()) {
            report.getPayload().getJsonArray("checks").forEach(c -> {
                var o = c.asJsonObject();
                if (HealthCheckResponse.Status.DOWN.name().equals(o.getString("status", ""))) {
                    down.add(o.getString("name", "unknown"));
                }
            });
            if (down.isEmpty()) {
                down.add("readiness");
            }
        }
        return down;
    }
}
