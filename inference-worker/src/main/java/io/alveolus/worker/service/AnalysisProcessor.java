package io.alveolus.worker.service;

import io.alveolus.common.events.AnalysisCompleted;
import io.alveolus.common.events.ImageReceived;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.model.Prediction;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.AnalysisRepository;
import io.alveolus.persistence.AnalysisStatus;
import io.alveolus.worker.messaging.WorkerEvents;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
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
    @ConfigProperty(name = "alveolus.worker.retry.initial-ms")
    long retryInitialMs;
    @ConfigProperty(name = "alveolus.worker.retry.max-ms")
    long retryMaxMs;

    private volatile boolean stopping;

    void onStop(@Observes ShutdownEvent e) {
        stopping = true;
    }

    /**
     * Retries a failing batch with exponential backoff, forever: a transient fault (store, database, broker)
     * must delay work, never skip it. Only shutdown interrupts; the batch is then not acked and is redelivered.
     */
    public void processWithRetry(List<ImageReceived> batch) {
        long delay = retryInitialMs;
        for (int attempt = 1; ; attempt++) {
            try {
                process(batch);
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

    void process(List<ImageReceived> batch) {
        long start = System.nanoTime();
        // 1. Make sure each row exists, and find what is still to do.
        Map<UUID, ImageReceived> pending = new LinkedHashMap<>();
        QuarkusTransaction.requiringNew().run(() -> {
            for (ImageReceived e : batch) {
                analyses.insertQueued(e);
                Analysis a = Analysis.findById(e.analysisId());
                if (!a.status.terminal()) {
                    a.status = AnalysisStatus.PROCESSING;
                    a.attempts++;
                    pending.put(e.analysisId(), e);
                }
            }
        });

        // 2. Fetch and decode; an image that can never be decoded fails alone.
        Map<UUID, String> failures = new LinkedHashMap<>();
        List<ImageReceived> decodable = new ArrayList<>();
        List<BufferedImage> images = new ArrayList<>();
        for (ImageReceived e : pending.values()) {
            TenantId tenant = new TenantId(e.tenant());
            byte[] bytes = store.get(tenant, e.imageKey());
            try {
                images.add(model.decode(bytes));
                decodable.add(e);
            } catch (Exception ex) {
                failures.put(e.analysisId(), "image cannot be decoded: " + rootMessage(ex));
            }
        }

        // 3. One batched forward pass; heat maps stored before the result that points at them.
        long inferStart = System.nanoTime();
        List<Prediction> predictions = images.isEmpty() ? List.of() : model.predict(images);
        int inferenceMs = (int) ((System.nanoTime() - inferStart) / 1_000_000);
        Map<UUID, String> heatmaps = new LinkedHashMap<>();
        for (int i = 0; i < decodable.size(); i++) {
            ImageReceived e = decodable.get(i);
            TenantId tenant = new TenantId(e.tenant());
            String key = ObjectStore.heatmapKey(tenant, e.analysisId());
            store.put(tenant, key, model.heatmapPng(predictions.get(i)), "image/png");
            heatmaps.put(e.analysisId(), key);
        }

        // 4. Commit all results of the batch at once.
        Instant now = Instant.now();
        QuarkusTransaction.requiringNew().run(() -> {
            for (int i = 0; i < decodable.size(); i++) {
                Prediction p = predictions.get(i);
                Analysis a = Analysis.findById(decodable.get(i).analysisId());
                if (a.status.terminal()) {
                    continue; // another worker finished it first
                }
                a.status = AnalysisStatus.COMPLETED;
                a.probability = p.probability();
                a.positive = p.positive();
                a.threshold = model.threshold();
                a.modelVersion = model.version();
                a.heatmapKey = heatmaps.get(a.id);
                a.inferenceMs = inferenceMs / Math.max(1, decodable.size());
                a.completedAt = now;
            }
            failures.forEach((id, reason) -> {
                Analysis a = Analysis.findById(id);
                if (!a.status.terminal()) {
                    a.status = AnalysisStatus.FAILED;
                    a.failureReason = truncate(reason, 500);
                    a.modelVersion = model.version();
                    a.completedAt = now;
                }
            });
        });

        // 5. Announce: dead letters for images that can never be processed, completion for every event.
        for (ImageReceived e : batch) {
            String reason = failures.get(e.analysisId());
            if (reason != null) {
                events.deadLetter(e, reason);
            }
        }
        List<AnalysisCompleted> done = QuarkusTransaction.requiringNew().call(() -> {
            List<AnalysisCompleted> out = new ArrayList<>();
            for (ImageReceived e : batch) {
                Analysis a = Analysis.findById(e.analysisId());
                out.add(new AnalysisCompleted(a.id, a.tenant, a.studyId, a.status.name(), a.probability, a.positive,
                        a.modelVersion, a.failureReason, a.completedAt));
            }
            return out;
        });
        done.forEach(events::completed);
        metrics.counter("alveolus.worker.analyses", "status", "completed").increment(decodable.size());
        metrics.counter("alveolus.worker.analyses", "status", "failed").increment(failures.size());
        metrics.timer("alveolus.worker.batch").record(Duration.ofNanos(System.nanoTime() - start));
        LOG.infof("batch of %d: %d analysed, %d failed, %d already done; model %d ms, total %d ms", batch.size(),
                decodable.size(), failures.size(), batch.size() - pending.size(), inferenceMs,
                (System.nanoTime() - start) / 1_000_000);
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
