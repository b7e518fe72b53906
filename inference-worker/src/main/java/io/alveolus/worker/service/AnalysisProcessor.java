package io.alveolus.worker.service;

import io.alveolus.common.events.AnalysisCompleted;
import io.alveolus.common.events.ImageReceived;
import io.alveolus.common.metrics.TenantTags;
import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.interop.DicomIdentifiers;
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
    Dependencies dependencies;
    @Inject
    LaneProgress progress;
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

    /** Attempts a message gets on its own, once its batch failed, before it ends FAILED and dead-lettered. */
    static final int MAX_ATTEMPTS_ALONE = 3;

    /**
     * A fault that belongs to one message must never hold a lane. A failing batch is split and each message
     * tried alone, at most {@value #MAX_ATTEMPTS_ALONE} times with backoff; a message that still fails ends FAILED
     * and dead-lettered while the rest go on. Only a shared dependency that its health probe reports down
     * (database, object store, broker) pauses the lane, for everybody, until it is back: nothing is lost.
     * Shutdown interrupts; the batch is then not acked and is redelivered.
     */
    @ActivateRequestContext
    public void processWithRetry(List<ImageReceived> batch, Lane lane) {
        List<ImageReceived> storable = new ArrayList<>();
        for (ImageReceived e : batch) { // identifiers the database would refuse: known poison, fails at once
            var problem = e.dicom() == null ? java.util.Optional.<String>empty()
                    : DicomIdentifiers.problem(e.dicom().studyInstanceUid(), e.dicom().seriesInstanceUid(),
                    e.dicom().sopInstanceUid(), e.dicom().viewPosition());
            if (problem.isPresent()) {
                failAlone(e, problem.get(), "invalid-identifiers", lane);
            } else {
                storable.add(e);
            }
        }
        if (storable.isEmpty()) {
            return;
        }
        try {
            process(storable, lane);
            return;
        } catch (RuntimeException e) {
            if (stopping) {
                throw e;
            }
            metrics.counter("alveolus.worker.batch.retries").increment();
            LOG.warnf("%s batch of %d failed, trying each message alone: %s", lane.tag(), storable.size(),
                    rootMessage(e));
        }
        for (ImageReceived e : storable) {
            processAlone(e, lane);
        }
    }

    private void processAlone(ImageReceived e, Lane lane) {
        long pause = retryInitialMs;
        int attempts = 0;
        while (true) {
            try {
                process(List.of(e), lane);
                return;
            } catch (RuntimeException ex) {
                if (stopping) {
                    throw ex;
                }
                List<String> down = dependencies.down();
                if (!down.isEmpty()) { // not this message's fault: the lane waits, for every tenant
                    metrics.counter("alveolus.worker.lane.paused", "lane", lane.tag()).increment();
                    LOG.warnf("%s lane paused, %s down; retrying in %d ms", lane.tag(), down, pause);
                    sleep(pause);
                    pause = Math.min(retryMaxMs, pause * 2);
                    continue;
                }
                attempts++;
                if (attempts >= MAX_ATTEMPTS_ALONE) {
                    failAlone(e, "processing failed " + attempts + " times: " + rootMessage(ex), "unprocessable",
                            lane);
                    return;
                }
                LOG.warnf("analysis %s failed alone (attempt %d of %d): %s", e.analysisId(), attempts,
                        MAX_ATTEMPTS_ALONE, rootMessage(ex));
                sleep(1000L << (attempts - 1)); // 1 s, 2 s: all attempts end well within a minute
            }
        }
    }

    /** Ends one message FAILED (whatever its fields hold), announces it and dead-letters it. */
    private void failAlone(ImageReceived e, String reason, String kind, Lane lane) {
        TenantId tenant = new TenantId(e.tenant());
        List<AnalysisCompleted> done = new ArrayList<>();
        TenantContext.run(tenant, () -> QuarkusTransaction.requiringNew().run(() -> {
            analyses.upsertFailed(e, reason, model.version(), Instant.now());
            Analysis a = Analysis.findById(e.analysisId());
            if (a != null) {
                done.add(completion(a));
            }
        }));
        events.deadLetter(e, reason);
        events.completed(done);
        deadLettered(kind, lane);
        LOG.warnf("analysis %s ended FAILED and dead-lettered (%s): %s", e.analysisId(), kind, reason);
    }

    private void deadLettered(String kind, Lane lane) {
        metrics.counter("alveolus.worker.dead-letters", "reason", kind, "lane", lane.tag()).increment();
    }

    private static AnalysisCompleted completion(Analysis a) {
        return new AnalysisCompleted(a.id, a.tenant, a.studyId, a.status.name(), a.probability, a.positive,
                a.modelVersion, a.failureReason, a.completedAt, a.receivedAt, a.inferenceMs, a.sizeBytes,
                a.heatmapBytes, a.overage, a.notApplicableReason, a.population);
    }

    /** One batch, in five named phases; every phase is idempotent, so a retry converges. */
    void process(List<ImageReceived> batch, Lane lane) {
        long start = System.nanoTime();
        Map<TenantId, List<ImageReceived>> byTenant = new LinkedHashMap<>();
        for (ImageReceived e : batch) {
            byTenant.computeIfAbsent(new TenantId(e.tenant()), t -> new ArrayList<>()).add(e);
        }
        Work w = new Work();
        claim(byTenant, w);
        fetchAndDecode(w);
        long inferStart = System.nanoTime();
        infer(w);
        int inferenceMs = (int) ((System.nanoTime() - inferStart) / 1_000_000);
        List<AnalysisCompleted> done = commit(byTenant, w, inferenceMs);
        announce(batch, done, w, lane);
        metrics.counter("alveolus.worker.analyses", "status", "completed").increment(w.results.size());
        metrics.counter("alveolus.worker.analyses", "status", "not_applicable").increment(w.notApplicable.size());
        metrics.counter("alveolus.worker.analyses", "status", "failed").increment(w.failures.size());
        metrics.timer("alveolus.worker.batch").record(Duration.ofNanos(System.nanoTime() - start));
        LOG.infof("%s batch of %d: %d analysed, %d not applicable, %d failed, %d already done; model %d ms, total %d ms",
                lane.tag(), batch.size(), w.results.size(), w.notApplicable.size(), w.failures.size(),
                batch.size() - w.pending.size(), inferenceMs, (System.nanoTime() - start) / 1_000_000);
    }

    /** What the phases of one batch hand each other. */
    private static final class Work {
        final Map<UUID, ImageReceived> pending = new LinkedHashMap<>();
        final Map<TenantId, Double> overrides = new LinkedHashMap<>();
        final Map<UUID, String> failures = new LinkedHashMap<>();
        final java.util.Set<UUID> missing = new java.util.HashSet<>();
        final Map<UUID, String> notApplicable = new LinkedHashMap<>();
        final List<ImageReceived> decodable = new ArrayList<>();
        final List<BufferedImage> images = new ArrayList<>();
        final Map<UUID, Prediction> results = new LinkedHashMap<>();
        final Map<UUID, ModelRunner.OperatingPoint> operatingPoints = new LinkedHashMap<>();
        final Map<UUID, StoredHeatmap> heatmaps = new LinkedHashMap<>();
    }

    /** Phase 1, claim: each row exists and what is still to do is marked PROCESSING (each tenant in its session). */
    private void claim(Map<TenantId, List<ImageReceived>> byTenant, Work w) {
        byTenant.forEach((tenant, events) -> TenantContext.run(tenant, () -> QuarkusTransaction.requiringNew().run(() -> {
            Tenant t = Tenant.findById(tenant.value());
            w.overrides.put(tenant, t == null ? null : t.thresholdOverride);
            for (ImageReceived e : events) {
                analyses.insertQueued(e);
                Analysis a = Analysis.findById(e.analysisId());
                if (!a.status.terminal()) {
                    a.status = AnalysisStatus.PROCESSING;
                    a.attempts++;
                    w.pending.put(e.analysisId(), e);
                }
            }
        })));
    }

    /**
     * Phase 2, fetch and decode. What its DICOM metadata already rules out (lateral, CT...) is not fetched; an
     * image missing from the store or that can never be decoded fails alone.
     */
    private void fetchAndDecode(Work w) {
        List<ImageReceived> todo = new ArrayList<>();
        for (ImageReceived e : w.pending.values()) {
            if (e.dicom() != null && e.dicom().notApplicableReason() != null) {
                w.notApplicable.put(e.analysisId(), e.dicom().notApplicableReason());
            } else {
                todo.add(e);
            }
        }
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
                w.missing.add(e.analysisId());
                w.failures.put(e.analysisId(), "the original image is not in the object store");
                continue;
            }
            try {
                w.images.add(model.decode(fetched.get(i)));
                w.decodable.add(e);
            } catch (Exception ex) {
                w.failures.put(e.analysisId(), "image cannot be decoded: " + rootMessage(ex));
            }
        }
    }

    /**
     * Phase 3, infer: one forward pass per operating point (population by age, tenant override) for all tenants;
     * the applicability gate's refusals become NOT_APPLICABLE; heat maps are stored before the results that point
     * at them.
     */
    private void infer(Work w) {
        Map<ModelRunner.OperatingPoint, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < w.decodable.size(); i++) {
            ImageReceived e = w.decodable.get(i);
            ModelRunner.OperatingPoint op = model.operatingPoint(e.patientAgeYears(),
                    w.overrides.get(new TenantId(e.tenant())));
            w.operatingPoints.put(e.analysisId(), op);
            groups.computeIfAbsent(op, k -> new ArrayList<>()).add(i);
        }
        List<ImageReceived> read = new ArrayList<>();
        List<Prediction> predictions = new ArrayList<>();
        groups.forEach((op, idx) -> {
            List<Prediction> ps = model.predict(idx.stream().map(w.images::get).toList(), op);
            for (int k = 0; k < idx.size(); k++) {
                ImageReceived e = w.decodable.get(idx.get(k));
                Prediction p = ps.get(k);
                if (!p.applicable()) {
                    w.notApplicable.put(e.analysisId(), p.notApplicableReason());
                } else {
                    read.add(e);
                    predictions.add(p);
                }
            }
        });
        List<StoredHeatmap> stored = inParallel(java.util.stream.IntStream.range(0, read.size()).boxed().toList(), i -> {
            ImageReceived e = read.get(i);
            TenantId tenant = new TenantId(e.tenant());
            String key = ObjectStore.heatmapKey(tenant, e.analysisId());
            byte[] png = model.heatmapPng(predictions.get(i));
            store.put(tenant, key, png, "image/png");
            return new StoredHeatmap(key, png.length);
        });
        for (int i = 0; i < read.size(); i++) {
            w.heatmaps.put(read.get(i).analysisId(), stored.get(i));
            w.results.put(read.get(i).analysisId(), predictions.get(i));
        }
    }

    /** Phase 4, commit the results tenant by tenant; read back what to announce (the committed values). */
    private List<AnalysisCompleted> commit(Map<TenantId, List<ImageReceived>> byTenant, Work w, int inferenceMs) {
        Instant now = Instant.now();
        int perImageMs = inferenceMs / Math.max(1, w.decodable.size());
        List<AnalysisCompleted> done = new ArrayList<>();
        byTenant.forEach((tenant, events) -> TenantContext.run(tenant, () -> QuarkusTransaction.requiringNew().run(() -> {
            for (ImageReceived e : events) {
                Analysis a = Analysis.findById(e.analysisId());
                Prediction p = w.results.get(e.analysisId());
                String notApplicable = w.notApplicable.get(e.analysisId());
                String reason = w.failures.get(e.analysisId());
                if (!a.status.terminal() && (p != null || notApplicable != null || reason != null)) {
                    a.modelVersion = model.version();
                    a.completedAt = now;
                    a.patientAgeYears = e.patientAgeYears();
                }
                if (!a.status.terminal() && p != null) {
                    a.status = AnalysisStatus.COMPLETED;
                    a.probability = p.probability();
                    a.threshold = p.threshold();
                    a.positive = p.positive();
                    a.population = p.population();
                    a.heatmapKey = w.heatmaps.get(a.id).key();
                    a.heatmapBytes = w.heatmaps.get(a.id).bytes();
                    a.inferenceMs = perImageMs;
                } else if (!a.status.terminal() && notApplicable != null) {
                    a.status = AnalysisStatus.NOT_APPLICABLE;
                    a.notApplicableReason = truncate(notApplicable, 500);
                } else if (!a.status.terminal() && reason != null) {
                    a.status = AnalysisStatus.FAILED;
                    a.failureReason = truncate(reason, 500);
                }
                done.add(completion(a));
            }
        })));
        return done;
    }

    /** Phase 5, announce: dead letters for images that can never be processed, completion for every event. */
    private void announce(List<ImageReceived> batch, List<AnalysisCompleted> done, Work w, Lane lane) {
        for (ImageReceived e : batch) {
            String reason = w.failures.get(e.analysisId());
            if (reason != null) {
                events.deadLetter(e, reason);
                deadLettered(w.missing.contains(e.analysisId()) ? "missing-original" : "undecodable", lane);
            }
        }
        events.completed(done);
        progress.lane(lane);
        for (AnalysisCompleted c : done) {
            if (w.pending.containsKey(c.analysisId()) && c.completedAt() != null) {
                metrics.timer("alveolus.analysis.latency", "tenant", tenantTags.of(c.tenant()), "lane", lane.tag())
                        .record(Duration.between(c.receivedAt(), c.completedAt()));
            }
        }
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
