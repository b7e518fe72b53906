package io.alveolus.worker.service;

import io.alveolus.common.events.AnalysisCompleted;
import io.alveolus.common.events.ImageReceived;
import io.alveolus.common.events.StoredFields;
import io.alveolus.common.metrics.TenantTags;
import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.model.Heatmaps;
import io.alveolus.model.PneumoniaModel;
import io.alveolus.model.Prediction;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.AnalysisOutcomes;
import io.alveolus.persistence.AnalysisRepository;
import io.alveolus.persistence.AnalysisStatus;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.TenantContext;
import io.alveolus.persistence.model.ShadowReading;
import io.alveolus.persistence.model.ShadowReadings;
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

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    @Inject
    ShadowReadings shadowReadings;
    @Inject
    AnalysisOutcomes outcomeStore;
    @ConfigProperty(name = "alveolus.worker.retry.initial-ms")
    long retryInitialMs;
    @ConfigProperty(name = "alveolus.worker.retry.max-ms")
    long retryMaxMs;

    private volatile boolean stopping;
    /**
     * The host side of a batch: fetch from the object store, decode, prepare the network input, one image per task,
     * so that it scales with the node's cores (a GPU node's forward pass is a fraction of this). No database work,
     * so no tenant context is needed on these threads.
     */
    private final java.util.concurrent.ExecutorService io;

    @Inject
    AnalysisProcessor(@ConfigProperty(name = "alveolus.worker.host-threads", defaultValue = "0") int hostThreads) {
        int n = hostThreads > 0 ? hostThreads : Math.max(4, Runtime.getRuntime().availableProcessors());
        io = java.util.concurrent.Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "worker-host");
            t.setDaemon(true);
            return t;
        });
    }

    void onStop(@Observes ShutdownEvent e) {
        stopping = true;
        io.shutdown();
    }

    /** Attempts a message gets on its own, once its batch failed, before it ends FAILED and dead-lettered. */
    static final int MAX_ATTEMPTS_ALONE = 3;
    /** Pauses before a message's second and third attempt alone. */
    static final long[] BACKOFF_ALONE_MS = {1000, 2000};
    /**
     * A message's attempts alone end by this long after its batch failed (time the lane waited for a dependency
     * aside), so that a poison message ends FAILED within a minute of its first failure even when attempts are slow.
     */
    static final Duration ISOLATION_BUDGET = Duration.ofSeconds(40);

    /** Why a message was dead-lettered: the bounded values of the dead-letter counter's {@code reason} label. */
    enum DeadLetter {
        /** a field the database would refuse ({@link StoredFields}): known at once, never retried */
        INVALID_FIELDS("invalid-fields"),
        /** failed alone {@value #MAX_ATTEMPTS_ALONE} times with every dependency up */
        UNPROCESSABLE("unprocessable"),
        UNDECODABLE("undecodable"),
        MISSING_ORIGINAL("missing-original");

        final String tag;

        DeadLetter(String tag) {
            this.tag = tag;
        }
    }

    /**
     * A fault that belongs to one message must never hold a lane. An event with a field the database would refuse
     * fails at once. A failing batch is retried whole only while a shared dependency (database, object store,
     * broker) is down by its readiness probe: the lane then waits, for everybody, and nothing is lost. With every
     * dependency up the batch is split: each message is tried alone, at most {@value #MAX_ATTEMPTS_ALONE} times
     * with backoff, and one that still fails ends FAILED and dead-lettered while the rest go on. Shutdown
     * interrupts; the batch is then not acked and is redelivered.
     */
    @ActivateRequestContext
    public void processWithRetry(List<ImageReceived> batch, Lane lane) {
        List<ImageReceived> storable = new ArrayList<>();
        for (ImageReceived e : batch) {
            Optional<String> problem = StoredFields.problem(e);
            if (problem.isPresent()) {
                failAlone(e, problem.get(), DeadLetter.INVALID_FIELDS, lane);
            } else {
                storable.add(e);
            }
        }
        if (storable.isEmpty()) {
            return;
        }
        long pause = retryInitialMs;
        while (true) {
            try {
                process(storable, lane);
                return;
            } catch (RuntimeException | StackOverflowError e) {
                if (stopping) {
                    throw e;
                }
                metrics.counter("alveolus.worker.batch.retries").increment();
                List<String> down = dependencies.down();
                if (down.isEmpty()) {
                    LOG.warnf("%s batch of %d failed with every dependency up, trying each message alone: %s",
                            lane.tag(), storable.size(), rootMessage(e));
                    break;
                }
                pause = pauseLane(lane, down, pause, e);
            }
        }
        isolate(storable, lane);
    }

    /** A shared dependency is down: no message's fault. The lane waits, for every tenant, then tries again. */
    private long pauseLane(Lane lane, List<String> down, long pause, Throwable cause) {
        metrics.counter("alveolus.worker.lane.paused", "lane", lane.tag()).increment();
        LOG.warnf("%s lane paused, %s down; retrying in %d ms: %s", lane.tag(), down, pause, rootMessage(cause));
        sleep(pause);
        return Math.min(retryMaxMs, pause * 2);
    }

    private record Fault(ImageReceived event, Throwable cause) {
    }

    /** The deadline of one isolation, moved on by the time the lane waited for a dependency. */
    private static final class Isolation {
        long deadline = System.nanoTime() + ISOLATION_BUDGET.toNanos();
    }

    /**
     * The messages of a failed batch, each alone, in rounds: the first round finishes every message that is fine
     * alone; those that failed get another round after a pause, until {@value #MAX_ATTEMPTS_ALONE} rounds or the
     * budget are spent, and then end FAILED and dead-lettered.
     */
    private void isolate(List<ImageReceived> messages, Lane lane) {
        Isolation run = new Isolation();
        List<ImageReceived> todo = messages;
        for (int attempt = 1; ; attempt++) {
            List<Fault> faults = new ArrayList<>();
            for (ImageReceived e : todo) {
                Throwable fault = attemptAlone(e, lane, run);
                if (fault != null) {
                    faults.add(new Fault(e, fault));
                }
            }
            if (faults.isEmpty()) {
                return;
            }
            long backoff = BACKOFF_ALONE_MS[Math.min(attempt, BACKOFF_ALONE_MS.length) - 1];
            if (attempt >= MAX_ATTEMPTS_ALONE || System.nanoTime() + backoff * 1_000_000 >= run.deadline) {
                String tries = attempt == 1 ? "once" : attempt + " times";
                for (Fault f : faults) {
                    failAlone(f.event(), "processing failed " + tries + ": " + reasonOf(f.cause()),
                            DeadLetter.UNPROCESSABLE, lane);
                }
                return;
            }
            for (Fault f : faults) {
                LOG.warnf("analysis %s failed alone (attempt %d of %d), again in %d ms: %s", f.event().analysisId(),
                        attempt, MAX_ATTEMPTS_ALONE, backoff, rootMessage(f.cause()));
            }
            sleep(backoff);
            todo = faults.stream().map(Fault::event).toList();
        }
    }

    /**
     * One attempt at one message; while a dependency is down the lane waits and the attempt is repeated, not
     * counted against the message.
     *
     * @return the fault, or null when the message is done
     */
    private Throwable attemptAlone(ImageReceived e, Lane lane, Isolation run) {
        long pause = retryInitialMs;
        while (true) {
            try {
                process(List.of(e), lane);
                return null;
            } catch (RuntimeException | StackOverflowError ex) {
                if (stopping) {
                    throw ex;
                }
                List<String> down = dependencies.down();
                if (down.isEmpty()) {
                    return ex;
                }
                long waitStart = System.nanoTime();
                pause = pauseLane(lane, down, pause, ex);
                run.deadline += System.nanoTime() - waitStart;
            }
        }
    }

    /**
     * Ends one message FAILED and dead-letters it, whatever its fields hold. The row takes what fits its columns
     * ({@link AnalysisRepository#upsertFailed}); an event whose tenant is no tenant id gets no row (no tenant could
     * read it), its dead letter is its record. Each step waits while a dependency is down; a step that still fails
     * with every dependency up is logged and skipped, so the lane always goes on.
     */
    private void failAlone(ImageReceived e, String reason, DeadLetter kind, Lane lane) {
        List<AnalysisCompleted> done = new ArrayList<>();
        if (e.analysisId() != null && TenantId.isValid(e.tenant())) {
            TenantId tenant = new TenantId(e.tenant());
            failStep(lane, "record analysis " + e.analysisId() + " as FAILED", () -> {
                done.clear();
                TenantContext.run(tenant, () -> QuarkusTransaction.requiringNew().run(() -> {
                    Tenant t = Tenant.findById(tenant.value());
                    analyses.upsertFailed(e, reason, t == null ? model.version() : model.assignmentFor(t).active().version(),
                            Instant.now());
                    Analysis a = Analysis.findById(e.analysisId());
                    if (a != null) {
                        done.add(completion(a));
                    }
                }));
            });
        }
        failStep(lane, "dead-letter analysis " + e.analysisId(), () -> events.deadLetter(e, reason));
        failStep(lane, "announce analysis " + e.analysisId(), () -> events.completed(done));
        deadLettered(kind, lane);
        progress.lane(lane);
        LOG.warnf("%s analysis %s ended FAILED and dead-lettered (%s): %s", lane.tag(), e.analysisId(), kind.tag,
                reason);
    }

    private void failStep(Lane lane, String what, Runnable step) {
        long pause = retryInitialMs;
        int failures = 0;
        while (true) {
            try {
                step.run();
                return;
            } catch (RuntimeException ex) {
                if (stopping) {
                    throw ex;
                }
                List<String> down = dependencies.down();
                if (!down.isEmpty()) {
                    pause = pauseLane(lane, down, pause, ex);
                    continue;
                }
                if (++failures >= MAX_ATTEMPTS_ALONE) {
                    metrics.counter("alveolus.worker.dead-letter.errors", "lane", lane.tag()).increment();
                    LOG.errorf("could not %s (%d attempts, every dependency up), going on: %s", what, failures,
                            rootMessage(ex));
                    return;
                }
                sleep(BACKOFF_ALONE_MS[failures - 1]);
            }
        }
    }

    private void deadLettered(DeadLetter kind, Lane lane) {
        metrics.counter("alveolus.worker.dead-letters", "reason", kind.tag, "lane", lane.tag()).increment();
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
        final Map<TenantId, Tenant> tenants = new LinkedHashMap<>();
        final Map<UUID, String> failures = new LinkedHashMap<>();
        final java.util.Set<UUID> missing = new java.util.HashSet<>();
        final Map<UUID, String> notApplicable = new LinkedHashMap<>();
        final List<ImageReceived> decodable = new ArrayList<>();
        final List<PneumoniaModel.Input> inputs = new ArrayList<>();
        /** The raw grey statistics of each image the model read (from its prepared input; drift monitoring). */
        final Map<UUID, io.alveolus.model.GreyStats> raw = new java.util.HashMap<>();
        final Map<UUID, Prediction> results = new LinkedHashMap<>();
        /** Per tenant, the versions its images are read with in this batch. */
        final Map<TenantId, ModelRunner.Assigned> assigned = new LinkedHashMap<>();
        /** Beside {@link #inputs}: the shadow version's input (null when the tenant has no shadow). */
        final List<PneumoniaModel.Input> shadowInputs = new ArrayList<>();
        final Map<UUID, ShadowReading> shadow = new LinkedHashMap<>();

        ModelRunner.Assigned of(ImageReceived e) {
            return assigned.get(new TenantId(e.tenant()));
        }
    }

    /**
     * Phase 1, claim: each row exists and what is still to do is marked PROCESSING (each tenant in its session).
     * One statement per tenant when ingest wrote the rows (the usual case); only an event whose row is missing
     * (published by another path, or a row lost) is inserted and claimed one by one.
     */
    private void claim(Map<TenantId, List<ImageReceived>> byTenant, Work w) {
        byTenant.forEach((tenant, events) -> TenantContext.run(tenant, () -> QuarkusTransaction.requiringNew().run(() -> {
            Tenant t = Tenant.findById(tenant.value());
            if (t != null) {
                w.tenants.put(tenant, t);
            }
            w.assigned.put(tenant, model.assignmentFor(t));
            var claimed = analyses.claim(tenant, events.stream().map(ImageReceived::analysisId).toList());
            List<ImageReceived> unclaimed = events.stream().filter(e -> !claimed.contains(e.analysisId())).toList();
            var terminal = unclaimed.isEmpty() ? java.util.Set.<UUID>of()
                    : analyses.existing(tenant, unclaimed.stream().map(ImageReceived::analysisId).toList());
            for (ImageReceived e : unclaimed) {
                if (terminal.contains(e.analysisId())) {
                    continue; // already done: announced again below, not analysed again
                }
                analyses.insertQueued(e);
                if (analyses.claim(tenant, List.of(e.analysisId())).isEmpty()) {
                    // the insert did nothing, yet there is no row of this tenant with this id
                    throw new IllegalStateException("analysis " + e.analysisId() + " cannot be stored: its id, its"
                            + " image in its study or its SOP Instance UID is held by another analysis");
                }
            }
            for (ImageReceived e : events) {
                if (!terminal.contains(e.analysisId())) {
                    w.pending.put(e.analysisId(), e);
                }
            }
        })));
    }

    /** What fetching and decoding one image gave: its prepared input, or why there is none. */
    private record Fetched(PneumoniaModel.Input input, PneumoniaModel.Input shadowInput, boolean missing,
                           String failure) {
    }

    /**
     * Phase 2, fetch, decode and prepare, each image on its own host thread. What its DICOM metadata already rules
     * out (lateral, CT...) is not fetched; an image missing from the store or that can never be decoded fails alone.
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
        List<Fetched> fetched = inParallel(todo, e -> {
            byte[] bytes;
            try {
                bytes = store.get(new TenantId(e.tenant()), e.imageKey());
            } catch (ProblemException notFound) {
                if (notFound.status() == 404) {
                    // ingest stores before it publishes: a missing original was deleted, not late
                    return new Fetched(null, null, true, "the original image is not in the object store");
                }
                throw notFound; // the store is down: the batch waits for it
            }
            ModelRunner.Assigned as = w.of(e);
            java.awt.image.BufferedImage image;
            try {
                image = LoadedModel.decode(bytes);
            } catch (Exception ex) {
                return new Fetched(null, null, false, "image cannot be decoded: " + reasonOf(ex));
            }
            String blank = as.active().blankWithoutGate(image);
            if (blank != null) {
                return new Fetched(null, null, false, "image cannot be decoded: " + blank);
            }
            PneumoniaModel.Input input = as.active().prepare(image);
            LoadedModel shadow = as.shadow();
            // a shadow of the same preprocessing recipe reads the same input; a blank image it cannot refuse, skipped
            PneumoniaModel.Input shadowInput = shadow == null || shadow.blankWithoutGate(image) != null ? null
                    : shadow.preprocessingKey().equals(as.active().preprocessingKey()) ? input : shadow.prepare(image);
            return new Fetched(input, shadowInput, false, null);
        });
        for (int i = 0; i < todo.size(); i++) {
            ImageReceived e = todo.get(i);
            Fetched f = fetched.get(i);
            if (f.input() != null) {
                w.inputs.add(f.input());
                if (f.input().raw() != null) {
                    w.raw.put(e.analysisId(), f.input().raw());
                }
                w.shadowInputs.add(f.shadowInput());
                w.decodable.add(e);
            } else {
                if (f.missing()) {
                    w.missing.add(e.analysisId());
                }
                w.failures.put(e.analysisId(), f.failure());
            }
        }
    }

    /** Images read alike: by one version at one operating point, in one forward pass. */
    private record Pass(LoadedModel model, LoadedModel.OperatingPoint op) {
    }

    /**
     * Phase 3, infer: one forward pass per version and operating point (population by age, the tenant's override
     * for that version) for all tenants; the applicability gate's refusals become NOT_APPLICABLE. Then the same for
     * the tenants' shadow versions, whose readings are kept aside and can never fail the batch. No heat map is drawn
     * here: the result keeps the class-activation grid and results-service renders it when someone looks.
     */
    private void infer(Work w) {
        Instant now = Instant.now();
        passes(w, false).forEach((pass, idx) -> {
            List<Prediction> ps = pass.model().predict(idx.stream().map(w.inputs::get).toList(), pass.op());
            for (int k = 0; k < idx.size(); k++) {
                ImageReceived e = w.decodable.get(idx.get(k));
                Prediction p = ps.get(k);
                if (!p.applicable()) {
                    w.notApplicable.put(e.analysisId(), p.notApplicableReason());
                } else {
                    w.results.put(e.analysisId(), p);
                }
            }
        });
        passes(w, true).forEach((pass, idx) -> {
            try {
                List<Prediction> ps = pass.model().predict(idx.stream().map(w.shadowInputs::get).toList(), pass.op());
                for (int k = 0; k < idx.size(); k++) {
                    ImageReceived e = w.decodable.get(idx.get(k));
                    Prediction p = ps.get(k);
                    w.shadow.put(e.analysisId(), new ShadowReading(e.analysisId(), e.tenant(), pass.model().version(),
                            pass.model().contentSha256(), p.applicable() ? "COMPLETED" : "NOT_APPLICABLE",
                            p.applicable() ? p.probability() : null, p.applicable() ? p.positive() : null,
                            p.applicable() ? p.threshold() : null, p.population(),
                            p.applicable() ? null : truncate(p.notApplicableReason(), 500), now));
                }
            } catch (RuntimeException ex) {
                metrics.counter("alveolus.worker.shadow.errors").increment();
                LOG.warnf("shadow version %s failed on %d images, skipped: %s", pass.model().id(), idx.size(),
                        rootMessage(ex));
            }
        });
    }

    /** The decodable images grouped into forward passes, by their tenant's active (or shadow) version. */
    private Map<Pass, List<Integer>> passes(Work w, boolean shadow) {
        Map<Pass, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < w.decodable.size(); i++) {
            ImageReceived e = w.decodable.get(i);
            LoadedModel m = shadow ? w.of(e).shadow() : w.of(e).active();
            if (m == null || (shadow && w.shadowInputs.get(i) == null)) {
                continue;
            }
            Tenant t = w.tenants.get(new TenantId(e.tenant()));
            LoadedModel.OperatingPoint op = m.operatingPoint(e.patientAgeYears(),
                    population -> t == null ? null : t.thresholdOverrideFor(population, m.id()));
            groups.computeIfAbsent(new Pass(m, op), k -> new ArrayList<>()).add(i);
        }
        return groups;
    }

    /** Phase 4, commit the results tenant by tenant; read back what to announce (the committed values). */
    private List<AnalysisCompleted> commit(Map<TenantId, List<ImageReceived>> byTenant, Work w, int inferenceMs) {
        Instant now = Instant.now();
        int perImageMs = inferenceMs / Math.max(1, w.decodable.size());
        List<AnalysisCompleted> done = new ArrayList<>();
        byTenant.forEach((tenant, events) -> TenantContext.run(tenant, () -> QuarkusTransaction.requiringNew().run(() -> {
            LoadedModel active = w.assigned.get(tenant).active();
            List<AnalysisOutcomes.Outcome> outcomes = new ArrayList<>();
            for (ImageReceived e : events) {
                AnalysisOutcomes.Outcome o = outcome(e, w, active, now, perImageMs);
                if (o != null) {
                    outcomes.add(o);
                }
            }
            // one JDBC batch of updates (rows already terminal are left alone), one select of what is now committed
            done.addAll(outcomeStore.commit(tenant, outcomes, events.stream().map(ImageReceived::analysisId).toList()));
            for (ImageReceived e : events) {
                ShadowReading shadow = w.shadow.get(e.analysisId());
                if (shadow != null) {
                    shadowReadings.record(shadow);
                }
            }
        })));
        return done;
    }

    /** What {@code e}'s analysis ends with in this batch, or null when this batch has nothing for it. */
    private AnalysisOutcomes.Outcome outcome(ImageReceived e, Work w, LoadedModel active, Instant now, int perImageMs) {
        Prediction p = w.results.get(e.analysisId());
        String notApplicable = w.notApplicable.get(e.analysisId());
        String reason = w.failures.get(e.analysisId());
        if (p == null && notApplicable == null && reason == null) {
            return null;
        }
        // the raw grey statistics go with the result, in the same update: no statement of their own
        io.alveolus.model.GreyStats raw = w.raw.get(e.analysisId());
        Double rawMean = raw == null ? null : unit(raw.mean());
        Double rawStd = raw == null ? null : unit(raw.std());
        Double rawP01 = raw == null ? null : unit(raw.p01());
        Double rawP99 = raw == null ? null : unit(raw.p99());
        if (p != null) {
            return new AnalysisOutcomes.Outcome(e.analysisId(), AnalysisStatus.COMPLETED, active.version(),
                    active.contentSha256(), now, e.patientAgeYears(), rawMean, rawStd, rawP01, rawP99,
                    p.probability(), p.threshold(), p.positive(), p.population(),
                    p.population() == null ? null : active.validatedFor(e.patientAgeYears()),
                    Heatmaps.encode(p.camGrid()), (short) p.camWidth(), (short) p.camHeight(), perImageMs, null, null);
        }
        boolean na = notApplicable != null;
        return new AnalysisOutcomes.Outcome(e.analysisId(), na ? AnalysisStatus.NOT_APPLICABLE : AnalysisStatus.FAILED,
                active.version(), active.contentSha256(), now, e.patientAgeYears(), rawMean, rawStd, rawP01, rawP99,
                null, null, null, null, null, null, null, null, null, na ? truncate(notApplicable, 500) : null,
                na ? null : truncate(reason, 500));
    }

    /** Phase 5, announce: dead letters for images that can never be processed, completion for every event. */
    private void announce(List<ImageReceived> batch, List<AnalysisCompleted> done, Work w, Lane lane) {
        for (ImageReceived e : batch) {
            String reason = w.failures.get(e.analysisId());
            if (reason != null) {
                events.deadLetter(e, reason);
                deadLettered(w.missing.contains(e.analysisId()) ? DeadLetter.MISSING_ORIGINAL : DeadLetter.UNDECODABLE,
                        lane);
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

    /** A batch's images go through the host threads side by side instead of one behind the other; order is kept. */
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

    /** A statistic as its 0..1 column holds it (float rounding can step just outside). */
    private static double unit(double v) {
        return v < 0 ? 0 : v > 1 ? 1 : v;
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    /** The root cause's message for a FAILED analysis's reason, which users read: no class names (logs keep them). */
    private static String reasonOf(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? "an internal error" : m.replaceAll("\\b(?:[a-z]\\w*\\.)+[A-Z]\\w*(?:Exception|Error)\\b:?\\s*", "");
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
