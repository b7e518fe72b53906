package io.alveolus.worker.service;

import io.alveolus.common.storage.ObjectStore;
import io.alveolus.model.ModelBundle;
import io.alveolus.model.ModelManifest;
import io.alveolus.model.PneumoniaModel;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.model.ModelRegistry;
import io.alveolus.persistence.model.ModelVersion;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model versions this worker runs, by the registry (issue 16): each tenant's active version and its optional
 * shadow, read with the tenant row every batch loads, so a rollout takes effect on the next batch without a restart.
 * Versions are loaded on first use: a SHIPPED one from this image, a REGISTRY one from the object store, either only
 * if its bytes hash to the registry's content hash. A version no batch has asked for in
 * {@code alveolus.model.evict-after} (30 min; a rolled-back or ended shadow) is dropped and its native memory freed
 * a grace period later, so a worker does not accumulate every version ever rolled out; the bootstrap version stays. {@code alveolus.model.version} names the shipped
 * version loaded at start and made the platform default of a fresh registry (default: pneumonia-v3); once the
 * registry has a default, the operator's rollouts decide.
 */
@Startup
@ApplicationScoped
public class ModelRunner {
    private static final Logger LOG = Logger.getLogger(ModelRunner.class);
    /** How long the platform default is cached: a rollout to all tenants reaches every worker within this. */
    static final long DEFAULT_CACHE_MS = 5_000;
    /** A version that failed to load is not tried again for this long (a broken shadow must not cost every batch). */
    static final long RETRY_FAILED_LOAD_MS = 60_000;

    private final boolean stubForward;
    private final boolean pinDefault;
    private final LoadedModel bootstrap;
    private final String bootstrapManifestJson;
    private final Map<String, LoadedModel> loaded = new ConcurrentHashMap<>();
    private final Map<String, Long> failedLoads = new ConcurrentHashMap<>();
    /** When each loaded version was last handed to a batch (ms); written with the map entry it belongs to. */
    private final Map<String, Long> lastUsed = new ConcurrentHashMap<>();
    /** An evicted version is closed this long after it left the map: a batch that took it just before runs out. */
    static final long CLOSE_GRACE_MS = 120_000;
    private final java.util.concurrent.ScheduledExecutorService closer =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "model-evict");
                t.setDaemon(true);
                return t;
            });
    @ConfigProperty(name = "alveolus.model.evict-after", defaultValue = "PT30M")
    java.time.Duration evictAfter;
    private volatile long lastSweep;
    private volatile String defaultId;
    private volatile long defaultReadAt;

    @Inject
    ModelRegistry registry;
    @Inject
    ObjectStore store;

    /**
     * @param pinDefault  bench mode only ({@code BENCH_MODEL}): tenants without an assignment of their own get this
     *                    worker's bootstrap version, whatever the registry's default
     * @param stubForward bench mode only ({@code bench/host-path.sh}): the forward pass is skipped and costs
     *                    nothing, so the worker's host side alone (fetch, decode, prepare, batch, write) is measured:
     *                    the ceiling a GPU node's host would have. Results carry the version "...+stub-forward".
     */
    @Inject
    public ModelRunner(@ConfigProperty(name = "alveolus.model.version") Optional<String> expectedVersion,
                       @ConfigProperty(name = "alveolus.worker.bench.stub-forward", defaultValue = "false")
                       boolean stubForward,
                       @ConfigProperty(name = "alveolus.model.pin-default", defaultValue = "false") boolean pinDefault) {
        this.stubForward = stubForward;
        this.pinDefault = pinDefault;
        String wanted = expectedVersion.filter(v -> !v.isBlank()).orElse(ModelManifest.DEFAULT_VERSION);
        try {
            // a deployment that asks for a version this image does not ship fails at start, never runs another
            ModelBundle bundle = ModelBundle.shipped(wanted);
            bootstrap = new LoadedModel(bundle.load(), bundle.contentSha256(), stubForward);
            bootstrapManifestJson = new String(bundle.manifestBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException("model version " + wanted + " is not shipped in this worker image", e);
        }
        loaded.put(bootstrap.id(), bootstrap);
        LOG.infof("model %s loaded (threshold %.4f, sha256 %s)", bootstrap.version(), bootstrap.threshold(),
                bootstrap.contentSha256().substring(0, 12));
        if (stubForward) {
            LOG.warn("BENCH MODE: alveolus.worker.bench.stub-forward is set; no image is read by the model and every"
                    + " result is a placeholder marked " + bootstrap.version());
        }
    }

    /** Registers the shipped versions (a fresh registry's bootstrap); refuses to run a stale image's default. */
    void onStart(@Observes StartupEvent e) {
        QuarkusTransaction.requiringNew().run(() -> {
            for (String v : ModelBundle.SHIPPED_VERSIONS) {
                ModelBundle b = v.equals(bootstrap.id()) ? null : ModelBundle.shipped(v);
                String sha = b == null ? bootstrap.contentSha256() : b.contentSha256();
                String manifest = b == null ? bootstrapManifestJson
                        : new String(b.manifestBytes(), java.nio.charset.StandardCharsets.UTF_8);
                boolean conflict = registry.bootstrapShipped(v, "pneumonia", sha, manifest, b == null);
                if (conflict && b == null) {
                    throw new IllegalStateException("the registry holds " + v + " with another content hash than"
                            + " this image ships: refusing to run it under that id");
                } else if (conflict) {
                    LOG.warnf("the registry holds %s with another content hash than this image ships", v);
                }
            }
        });
    }

    /** The version loaded at start (the bootstrap default). */
    public LoadedModel bootstrap() {
        return bootstrap;
    }

    /** The bootstrap version's id as results record it (bench mode marks it). */
    public String version() {
        return bootstrap.version();
    }

    public double threshold() {
        return bootstrap.threshold();
    }

    public ModelManifest manifest() {
        return bootstrap.manifest();
    }

    /** What one tenant's images are read with in this batch. */
    public record Assigned(LoadedModel active, LoadedModel shadow) {
    }

    /**
     * The tenant's active version (the platform default unless it has its own) and shadow. The active one must
     * load (a failure fails the batch, which the lane then handles like any fault); a shadow that cannot be loaded
     * is skipped with a warning: it must never stop the tenant's clinical results. Runs in a transaction.
     */
    public Assigned assignmentFor(Tenant t) {
        var a = ModelRegistry.assignmentOf(t, platformDefault());
        LoadedModel active = model(a.active());
        LoadedModel shadow = null;
        if (a.shadow() != null && !a.shadow().equals(active.id())) {
            Long failedAt = failedLoads.get(a.shadow());
            if (failedAt == null || System.currentTimeMillis() - failedAt > RETRY_FAILED_LOAD_MS) {
                try {
                    shadow = model(a.shadow());
                    failedLoads.remove(a.shadow());
                } catch (RuntimeException ex) {
                    failedLoads.put(a.shadow(), System.currentTimeMillis());
                    LOG.warnf("shadow version %s of tenant %s cannot be loaded, skipped for %d s: %s", a.shadow(),
                            t.id, RETRY_FAILED_LOAD_MS / 1000, ex.getMessage());
                }
            }
        }
        return new Assigned(active, shadow);
    }

    private String platformDefault() {
        if (pinDefault) {
            return bootstrap.id();
        }
        long now = System.currentTimeMillis();
        if (defaultId == null || now - defaultReadAt > DEFAULT_CACHE_MS) {
            defaultId = registry.platformDefault().orElse(bootstrap.id());
            defaultReadAt = now;
        }
        return defaultId;
    }

    /** A version by registry id, loaded once; its bytes must hash to the registry's content hash. */
    LoadedModel model(String id) {
        long now = System.currentTimeMillis();
        if (now - lastSweep > 60_000) {
            lastSweep = now;
            evictIdle(evictAfter, CLOSE_GRACE_MS);
        }
        // compute: atomic with eviction's computeIfPresent, so a version handed out here is never evicted unseen
        return loaded.compute(id, (k, m) -> {
            LoadedModel v = m != null ? m : load(k);
            lastUsed.put(k, System.currentTimeMillis());
            return v;
        });
    }

    /**
     * Drops the versions no batch asked for within {@code idle} (never the bootstrap one) and closes each
     * {@code graceMs} later; returns the ids dropped. A later batch that needs one loads it again.
     */
    java.util.List<String> evictIdle(java.time.Duration idle, long graceMs) {
        long cutoff = System.currentTimeMillis() - idle.toMillis();
        java.util.List<String> dropped = new java.util.ArrayList<>();
        for (String id : java.util.List.copyOf(loaded.keySet())) {
            if (id.equals(bootstrap.id())) {
                continue;
            }
            LoadedModel[] gone = new LoadedModel[1];
            loaded.computeIfPresent(id, (k, m) -> {
                if (lastUsed.getOrDefault(k, 0L) >= cutoff) {
                    return m;
                }
                gone[0] = m;
                lastUsed.remove(k);
                return null;
            });
            if (gone[0] != null) {
                dropped.add(id);
                LOG.infof("model %s unused for %s: unloaded", id, idle);
                closer.schedule(gone[0]::close, graceMs, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }
        return dropped;
    }

    /** The versions loaded now (the bootstrap one included). */
    java.util.Set<String> loadedVersions() {
        return java.util.Set.copyOf(loaded.keySet());
    }

    private LoadedModel load(String id) {
        ModelVersion row = registry.find(id)
                .orElseThrow(() -> new IllegalStateException("model version " + id + " is not registered"));
        if (ModelVersion.RETIRED.equals(row.status)) {
            throw new IllegalStateException("model version " + id + " is retired");
        }
        ModelBundle bundle;
        if (ModelVersion.SHIPPED.equals(row.source)) {
            bundle = ModelBundle.shipped(id);
        } else {
            byte[] manifest = store.getModelObject(row.objectPrefix + "manifest.json");
            String paramsFile;
            try {
                paramsFile = ModelManifest.read(new java.io.ByteArrayInputStream(manifest)).paramsFile();
            } catch (java.io.IOException ex) {
                throw new IllegalStateException("model version " + id + " has an unreadable manifest", ex);
            }
            bundle = ModelBundle.of(manifest, store.getModelObject(row.objectPrefix + paramsFile));
        }
        if (!bundle.contentSha256().equals(row.contentSha256) || !bundle.version().equals(id)) {
            throw new IllegalStateException("model version " + id + " does not match its registered content hash");
        }
        PneumoniaModel net = bundle.load();
        LOG.infof("model %s loaded from the %s (sha256 %s)", id, row.source.toLowerCase(), row.contentSha256.substring(0, 12));
        return new LoadedModel(net, row.contentSha256, stubForward);
    }

    @PreDestroy
    void close() {
        closer.shutdownNow();
        loaded.values().forEach(LoadedModel::close);
    }
}
