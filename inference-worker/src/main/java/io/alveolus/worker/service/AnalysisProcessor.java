package io.alveolus.worker.service;

import io.alveolus.common.events.AnalysisCompleted;
import io.alveolus.common.events.ImageReceived;
import io.alveolus.common.metrics.TenantTags;
import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.model.Prediction;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.AnalysisRepository;
import io.alveolus.persistence.AnalysisStatus;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.TenantContext;
import io.alveolus.worker.messaging.WorkerEvents;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.awt.image.BufferedImage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns a batch of image-received events into committed results. Every step is idempotent, so the whole batch
 * can be retried after any fault: rows already COMPLETED or FAILED are not recomputed, only re-announced.
 */
@ApplicationScoped
public class AnalysisProcessor {
    private static final Logger LOG = Logger.getLogger(AnalysisProcessor.class);

    @Inject
    ObjectStore store;
    @Inject
    AnalysisRepository analyses;
    @Inject
    ModelRunner model;
    @Inject
    WorkerEvents events;
    @Inject
    MeterRegistry metrics;
    @Inject
    TenantTags tenantTags;
    @ConfigProperty(name = "alveolus.worker.retry.initial-ms")
    long retryInitialMs;
    @ConfigProperty(name = "alveolus.worker.retry.max-ms")
    long retryMaxMs;

    private volatile boolean stopping;
    /** For object-store I/O only (no database work, so no tenant context is needed on these threads). */
    private final java.util.concurrent.ExecutorService io = java.util.concurrent.Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "worker-store-io");
        t.setDaemon(true);
        return t;
    });

    void onStop(@Observes ShutdownEvent e) {
        stopping = true;
        io.shutdown();
    }

    /**
     * Retries a failing batch with exponential backoff, forever: a transient fault (store, database, broker)
     * must delay work, never skip it. Only shutdown interrupts; the batch is then not acked and is redelivered.
     */
    @ActivateRequestContext
    public void processWithRetry(List<ImageReceived> batch, Lane lane) {
        long delay = retryInitialMs;
        for (int attempt = 1; ; attempt++) {
            try {
                process(batch, lane);
                return;
            } catch (RuntimeException e) {
                if (stopping) {
                    throw e;
                }
                metrics.counter("alveolus.worker.batch.retries").increment();
                LOG.warnf("batch of %d failed (attempt %d), retrying in %d ms: %s", batch.size(), attempt, delay,
                        rootMessage(e));
                sleep(delay);
                delay = Math.min(retryMaxMs, delay * 2);
            }
        }
    }

    void process(List<ImageReceived> batch, Lane lane) {
        long start = System.nanoTime();
        Map<TenantId, List<ImageReceived>> byTenant = new LinkedHashMap<>();
        for (ImageReceived e : batch) {
            byTenant.computeIfAbsent(new TenantId(e.tenant()), t -> new ArrayList<>()).add(e);
        }

        // 1. Make sure each row exists, and find what is still to do (each tenant in its own session).
        Map<UUID, ImageReceived> pending = new LinkedHashMap<>();
        Map<TenantId, Double> thresholds = new LinkedHashMap<>();
        byTenant.forEach((tenant, events) -> TenantContext.run(tenant, () -> QuarkusTransaction.requiringNew().run(() -> {
            Tenant t = Tenant.findById(tenant.value());
            thresholds.put(tenant, t != null && t.thresholdOverride != null ? t.thresholdOverride : model.threshold());
            for (ImageReceived e : events) {
                analyses.insertQueued(e);
                Analysis a = Analysis.findById(e.analysisId());
                if (!a.status.terminal()) {
                    a.status = AnalysisStatus.PROCESSING;
                    a.attempts++;
                    pending.put(e.analysisId(), e);
                }
            }
        })));

        // 2. Fetch and decode; an image that can never be decoded fails alone.
        Map<UUID, String> failures = new LinkedHashMap<>();
        List<ImageReceived> decodable = new ArrayList<>();
        List<BufferedImage> images = new ArrayList<>();
        List<ImageReceived> todo = new ArrayList<>(pending.values());
        List<byte[]> fetched = inParallel(todo, e -> {
            try {
                return store.get(new TenantId(e.tenant()), e.imageKey());
            } catch (ProblemException notFound) {
                if (notFound.status() == 404) {
                    return null; // ingest stores before it publishes: a missing original was deleted, not late
                }
                throw notFound;
            }
        });
        for (int i = 0; i < todo.size(); i++) {
            ImageReceived e = todo.get(i);
            if (fetched.get(i) == null) {
                failures.put(e.analysisId(), "the original image is not in the object store");
                continue;
            }
            try {
                images.add(model.decode(fetched.get(i)));
                decodable.add(e);
            } catch (Exception ex) {
                failures.put(e.analysisId(), "image cannot be decoded: " + rootMessage(ex));
            }
        }

        // 3. One batched forward pass for all tenants; heat maps stored before the results that point at them.
        long inferStart = System.nanoTime();
        List<Prediction> predictions = images.isEmpty() ? List.of() : model.predict(images);
        int inferenceMs = (int) ((System.nanoTime() - inferStart) / 1_000_000);
        Map<UUID, Prediction> results = new LinkedHashMap<>();
        Map<UUID, StoredHeatmap> heatmaps = new LinkedHashMap<>();
        List<StoredHeatmap> stored = inParallel(
                java.util.stream.IntStream.range(0, decodable.size()).boxed().toList(), i -> {
                    ImageReceived e = decodable.get(i);
                    TenantId tenant = new TenantId(e.tenant());
                    String key = ObjectStore.heatmapKey(tenant, e.analysisId());
                    byte[] png = model.heatmapPng(predictions.get(i));
                    store.put(tenant, key, png, "image/png");
                    return new StoredHeatmap(key, png.length);
                });
        for (int i = 0; i < decodable.size(); i++) {
            heatmaps.put(decodable.get(i).analysisId(), stored.get(i));
            results.put(decodable.get(i).analysisId(), predictions.get(i));
        }

        // 4. Commit the results, tenant by tenant; read back what to announce.
        Instant now = Instant.now();
        int perImageMs = inferenceMs / Math.max(1, decodable.size());
        List<AnalysisCompleted> done = new ArrayList<>();
        byTenant.forEach((tenant, events) -> TenantContext.run(tenant, () -> QuarkusTransaction.requiringNew().run(() -> {
            double threshold = thresholds.get(tenant);
            for (ImageReceived e : events) {
                Analysis a = Analysis.findById(e.analysisId());
                Prediction p = results.get(e.analysisId());
                String reason = failures.get(e.analysisId());
                if (!a.status.terminal() && p != null) {
                    a.status = AnalysisStatus.COMPLETED;
                    a.probability = p.probability();
                    a.threshold = threshold;
                    a.positive = p.probability() >= threshold;
                    a.modelVersion = model.version();
                    a.heatmapKey = heatmaps.get(a.id).key();
                    a.heatmapBytes = heatmaps.get(a.id).bytes();
                    a.inferenceMs = perImageMs;
                    a.completedAt = now;
                } else if (!a.status.terminal() && reason != null) {
                    a.status = AnalysisStatus.FAILED;
                    a.failureReason = truncate(reason, 500);
                    a.modelVersion = model.version();
                    a.completedAt = now;
                }
                done.add(new AnalysisCompleted(a.id, a.tenant, a.studyId, a.status.name(), a.probability, a.positive,
                        a.modelVersion, a.failureReason, a.completedAt, a.receivedAt, a.inferenceMs, a.sizeBytes,
                        a.heatmapBytes, a.overage));
            }
        })));

        // 5. Announce: dead letters for images that can never be processed, completion for every event.
        for (ImageReceived e : batch) {
            String reason = failures.get(e.analysisId());
            if (reason != null) {
                events.deadLetter(e, reason);
            }
        }
        events.completed(done);
        for (AnalysisCompleted c : done) {
            if (pending.containsKey(c.analysisId()) && c.completedAt() != null) {
                metrics.timer("alveolus.analysis.latency", "tenant", tenantTags.of(c.tenant()), "lane", lane.tag())
                        .record(Duration.between(c.receivedAt(), c.completedAt()));
            }
        }
        metrics.counter("alveolus.worker.analyses", "status", "completed").increment(decodable.size());
        metrics.counter("alveolus.worker.analyses", "status", "failed").increment(failures.size());
        metrics.timer("alveolus.worker.batch").record(Duration.ofNanos(System.nanoTime() - start));
        LOG.infof("%s batch of %d: %d analysed, %d failed, %d already done; model %d ms, total %d ms", lane.tag(), batch.size(),
                decodable.size(), failures.size(), batch.size() - pending.size(), inferenceMs,
                (System.nanoTime() - start) / 1_000_000);
    }

    private record StoredHeatmap(String key, long bytes) {
    }

    /** Object-store round trips of a batch overlap instead of queueing one behind the other; order is kept. */
    private <T, R> List<R> inParallel(List<T> items, java.util.function.Function<T, R> work) {
        List<java.util.concurrent.Future<R>> futures = items.stream().map(t -> io.submit(() -> work.apply(t))).toList();
        List<R> out = new ArrayList<>();
        for (var f : futures) {
            try {
                out.add(f.get());
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return out;
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ie);
        }
    }
}
