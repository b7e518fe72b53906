package io.alveolus.results.model;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.model.ModelBundle;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.audit.AuditLog;
import io.alveolus.persistence.model.ModelRegistry;
import io.alveolus.persistence.model.ModelVersion;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The registry's writes (issue 16): register a version, record its promotion gate, move tenants onto it as active or
 * shadow, undo a move, retire it. Register, shadow, then promote is the only path to active: a version becomes
 * active for a tenant only once its promotion gate accepted it and it has read images in shadow. Every move records
 * what each tenant ran before (table model_rollout), so one call undoes it, and is audited in each tenant's trail.
 * Workers read assignments with the tenant row on every batch: no restart.
 */
@ApplicationScoped
public class ModelRollouts {
    /** Where the platform default is kept in a rollout's "previous" map (no tenant id can be this). */
    static final String DEFAULT_KEY = "*default*";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ModelRegistry registry;
    @Inject
    ObjectStore store;
    @Inject
    AuditLog audit;
    @Inject
    EntityManager em;

    public enum Action { ACTIVATE, SHADOW, END_SHADOW }

    /** Which tenants a move applies to: a list, a stable share of all tenants, or every tenant. */
    public record Target(List<String> tenants, Integer percent, Boolean all) {
        boolean everyone() {
            return Boolean.TRUE.equals(all);
        }
    }

    /** What a tenant ran before a move. */
    public record Before(String active, String shadow) {
    }

    /** Bootstraps the shipped versions, so the API works before any worker started (the worker does the same). */
    void onStart(@Observes StartupEvent e) {
        QuarkusTransaction.requiringNew().run(() -> {
            for (String v : ModelBundle.SHIPPED_VERSIONS) {
                ModelBundle b = ModelBundle.shipped(v);
                registry.bootstrapShipped(v, b.manifest().name() == null ? "pneumonia" : b.manifest().name(),
                        b.contentSha256(), new String(b.manifestBytes(), java.nio.charset.StandardCharsets.UTF_8),
                        v.equals(io.alveolus.model.ModelManifest.DEFAULT_VERSION));
            }
        });
    }

    /** Stores the files content-addressed, then the row: a failed insert leaves only unreferenced objects. */
    public ModelVersion register(byte[] manifest, byte[] params, String actor) {
        ModelBundle bundle;
        try {
            bundle = ModelBundle.of(manifest, params);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest(e.getMessage());
        }
        String sha = bundle.contentSha256();
        QuarkusTransaction.requiringNew().run(() -> refuseDuplicate(bundle.version(), sha));
        String prefix = ObjectStore.modelKey(sha, "manifest.json").replace("manifest.json", "");
        store.putModelObject(prefix + "manifest.json", manifest);
        store.putModelObject(prefix + bundle.manifest().paramsFile(), params);
        return QuarkusTransaction.requiringNew().call(() -> {
            refuseDuplicate(bundle.version(), sha);
            ModelVersion v = new ModelVersion();
            v.id = bundle.version();
            v.name = bundle.manifest().name() == null ? "pneumonia" : bundle.manifest().name();
            v.contentSha256 = sha;
            v.source = ModelVersion.REGISTRY;
            v.objectPrefix = prefix;
            v.status = ModelVersion.CANDIDATE;
            v.manifest = new String(manifest, java.nio.charset.StandardCharsets.UTF_8);
            v.registeredBy = actor;
            v.registeredAt = Instant.now();
            v.persist();
            return v;
        });
    }

    private void refuseDuplicate(String id, String sha) {
        if (ModelVersion.findById(id) != null) {
            throw ProblemException.conflict("model version " + id + " is already registered");
        }
        if (ModelVersion.count("contentSha256", sha) > 0) {
            throw ProblemException.conflict("a version with the same content (sha256 " + sha + ") is already registered");
        }
    }

    /** Records the promotion gate's printed report ({@code model-training/promotion-gate.sh --report}). In a transaction. */
    public ModelVersion recordGate(String id, Map<String, Object> report) {
        ModelVersion v = version(id);
        Object accepted = report == null ? null : report.get("accepted");
        if (!(accepted instanceof Boolean b)) {
            throw ProblemException.badRequest("the gate report must carry \"accepted\": true or false");
        }
        // a report is about exact bytes: one made for another candidate (or a re-registered one) does not count
        Object candidate = report.get("candidate");
        Object sha = candidate instanceof Map<?, ?> c ? c.get("sha256") : null;
        if (sha == null) {
            throw ProblemException.badRequest("the gate report must name its candidate: \"candidate\": {\"version\","
                    + " \"sha256\"} (promotion-gate.sh writes it)");
        }
        if (!v.contentSha256.equals(sha)) {
            throw ProblemException.conflict("the gate report is for content " + sha + ", not model version " + id
                    + " (" + v.contentSha256 + ")");
        }
        try {
            String text = JSON.writeValueAsString(report);
            if (text.length() > 65536) {
                throw ProblemException.tooLarge("a gate report is at most 64 KiB");
            }
            v.gateReport = text;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ProblemException.badRequest("the gate report is not JSON");
        }
        v.gateAccepted = b;
        return v;
    }

    /** Moves the targeted tenants; returns the rollout id (for a rollback). In a transaction. */
    public long rollout(String id, Action action, Target target, String actor) {
        ModelVersion v = version(id);
        if (ModelVersion.RETIRED.equals(v.status)) {
            throw ProblemException.conflict("model version " + id + " is retired");
        }
        if (action == Action.ACTIVATE && !ModelVersion.SHIPPED.equals(v.source)) {
            if (!Boolean.TRUE.equals(v.gateAccepted)) {
                throw ProblemException.conflict("model version " + id + " has no accepted promotion gate report:"
                        + " run model-training/promotion-gate.sh and record it (PUT .../gate) first");
            }
            if (!hasShadowReadings(id)) {
                throw ProblemException.conflict("model version " + id + " has not read any image in shadow yet:"
                        + " register, shadow, then promote");
            }
        }
        List<Tenant> tenants = targeted(target);
        Map<String, Before> previous = new LinkedHashMap<>();
        Set<String> touched = new LinkedHashSet<>(List.of(id));
        String oldDefault = registry.platformDefault().orElse(null);
        for (Tenant t : tenants) {
            previous.put(t.id, new Before(t.activeModelVersion, t.shadowModelVersion));
            addIfPresent(touched, t.activeModelVersion);
            addIfPresent(touched, t.shadowModelVersion);
            switch (action) {
                case ACTIVATE -> {
                    // everyone: all follow the new platform default; otherwise the tenant's own assignment
                    t.activeModelVersion = target.everyone() ? null : id;
                    if (id.equals(t.shadowModelVersion)) {
                        t.shadowModelVersion = null;
                    }
                }
                case SHADOW -> {
                    String active = t.activeModelVersion != null ? t.activeModelVersion : oldDefault;
                    if (!id.equals(active)) {
                        t.shadowModelVersion = id;
                    }
                }
                case END_SHADOW -> {
                    if (id.equals(t.shadowModelVersion)) {
                        t.shadowModelVersion = null;
                    }
                }
            }
        }
        if (action == Action.ACTIVATE && target.everyone()) {
            previous.put(DEFAULT_KEY, new Before(oldDefault, null));
            setDefault(id);
            addIfPresent(touched, oldDefault);
        }
        if (action == Action.ACTIVATE) {
            v.promotedBy = actor;
            v.promotedAt = Instant.now();
        }
        long rolloutId = record(action.name(), id, describe(target), previous, actor);
        em.flush();
        refreshStatus(touched);
        for (Tenant t : tenants) {
            audit.system(new TenantId(t.id), actor, "model." + action.name().toLowerCase().replace('_', '-'),
                    "model_version", id);
        }
        return rolloutId;
    }

    /** Restores what every tenant of a rollout ran before it (and the platform default). In a transaction. */
    public long rollback(long rolloutId, String actor) {
        Object[] row = rolloutRow(rolloutId);
        if (row[1] != null) {
            throw ProblemException.conflict("rollout " + rolloutId + " was already rolled back");
        }
        Map<String, Before> restore = parse((String) row[0]);
        Map<String, Before> previous = new LinkedHashMap<>();
        Set<String> touched = new LinkedHashSet<>();
        addIfPresent(touched, (String) row[2]);
        for (var e : restore.entrySet()) {
            if (DEFAULT_KEY.equals(e.getKey())) {
                String current = registry.platformDefault().orElse(null);
                previous.put(DEFAULT_KEY, new Before(current, null));
                addIfPresent(touched, current);
                if (e.getValue().active() != null) {
                    setDefault(e.getValue().active());
                    touched.add(e.getValue().active());
                }
                continue;
            }
            Tenant t = Tenant.findById(e.getKey());
            if (t == null) {
                continue; // offboarded since: nothing to restore
            }
            previous.put(t.id, new Before(t.activeModelVersion, t.shadowModelVersion));
            addIfPresent(touched, t.activeModelVersion);
            addIfPresent(touched, t.shadowModelVersion);
            t.activeModelVersion = e.getValue().active();
            t.shadowModelVersion = e.getValue().shadow();
            addIfPresent(touched, t.activeModelVersion);
            addIfPresent(touched, t.shadowModelVersion);
        }
        em.createNativeQuery("update model_rollout set rolled_back_at = now(), rolled_back_by = :actor where id = :id")
                .setParameter("actor", actor).setParameter("id", rolloutId).executeUpdate();
        long id = record("ROLLBACK", (String) row[2], "rollout " + rolloutId, previous, actor);
        em.flush();
        refreshStatus(touched);
        for (String tenant : previous.keySet()) {
            if (!DEFAULT_KEY.equals(tenant)) {
                audit.system(new TenantId(tenant), actor, "model.rollback", "model_rollout", String.valueOf(rolloutId));
            }
        }
        return id;
    }

    /** No tenant may run it any more. Refused while any tenant (or the platform default) uses it. In a transaction. */
    public ModelVersion retire(String id, String actor) {
        ModelVersion v = version(id);
        if (v.platformDefault || Tenant.count("activeModelVersion = ?1 or shadowModelVersion = ?1", id) > 0) {
            throw ProblemException.conflict("model version " + id + " is still active or in shadow for a tenant");
        }
        v.status = ModelVersion.RETIRED;
        v.retiredBy = actor;
        v.retiredAt = Instant.now();
        return v;
    }

    public record RolloutRecord(long id, Instant at, String actor, String action, String modelVersion, String scope,
                                Map<String, Before> previous, Instant rolledBackAt, String rolledBackBy) {
    }

    @SuppressWarnings("unchecked")
    public List<RolloutRecord> history(int limit) {
        List<Object[]> rows = em.createNativeQuery("""
                select id, at, actor, action, model_version, scope, previous, rolled_back_at, rolled_back_by
                from model_rollout order by id desc limit :n""").setParameter("n", limit).getResultList();
        List<RolloutRecord> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(new RolloutRecord(((Number) r[0]).longValue(), io.alveolus.persistence.NativeRows.instant(r[1]), (String) r[2], (String) r[3],
                    (String) r[4], (String) r[5], parse((String) r[6]), io.alveolus.persistence.NativeRows.instant(r[7]), (String) r[8]));
        }
        return out;
    }

    ModelVersion version(String id) {
        ModelVersion v = ModelVersion.findById(id);
        if (v == null) {
            throw ProblemException.notFound("model version");
        }
        return v;
    }

    private boolean hasShadowReadings(String id) {
        return !em.createNativeQuery("select 1 from analysis_shadow where model_version = :v limit 1")
                .setParameter("v", id).getResultList().isEmpty();
    }

    private List<Tenant> targeted(Target target) {
        if (target == null) {
            throw ProblemException.badRequest("name the tenants, a percent or all");
        }
        int ways = (target.tenants() != null ? 1 : 0) + (target.percent() != null ? 1 : 0) + (target.everyone() ? 1 : 0);
        if (ways != 1) {
            throw ProblemException.badRequest("name exactly one of: tenants (a list), percent (1-100), all (true)");
        }
        List<Tenant> all = Tenant.list("order by id");
        if (target.everyone()) {
            return all;
        }
        if (target.percent() != null) {
            int p = target.percent();
            if (p < 1 || p > 100) {
                throw ProblemException.badRequest("percent must be 1-100");
            }
            // stable buckets: raising the share keeps the tenants already moved and adds others
            return all.stream().filter(t -> bucket(t.id) < p).toList();
        }
        if (target.tenants().isEmpty() || target.tenants().size() > 1000) {
            throw ProblemException.badRequest("tenants must list 1-1000 tenant ids");
        }
        List<Tenant> named = new ArrayList<>();
        for (String id : new LinkedHashSet<>(target.tenants())) {
            Tenant t = id == null ? null : Tenant.findById(id);
            if (t == null) {
                throw ProblemException.notFound("tenant " + id);
            }
            named.add(t);
        }
        return named;
    }

    /** A tenant's bucket 0-99 for percentage rollouts; String.hashCode is specified, so it never changes. */
    static int bucket(String tenantId) {
        return Math.floorMod(tenantId.hashCode() * 31 + 7, 100);
    }

    private static String describe(Target t) {
        if (t.everyone()) {
            return "all";
        }
        if (t.percent() != null) {
            return "percent:" + t.percent();
        }
        String list = String.join(",", t.tenants());
        return list.length() <= 280 ? "tenants:" + list : "tenants:" + t.tenants().size();
    }

    private void setDefault(String id) {
        em.createNativeQuery("update model_version set platform_default = false where platform_default and id <> :id")
                .setParameter("id", id).executeUpdate();
        em.createNativeQuery("update model_version set platform_default = true where id = :id")
                .setParameter("id", id).executeUpdate();
    }

    /** A version's status is the most a tenant uses it for: active, shadow, else a candidate (retired stays). */
    private void refreshStatus(Collection<String> ids) {
        for (String id : ids) {
            em.createNativeQuery("""
                    update model_version v set status = case
                        when v.platform_default or exists (select 1 from tenant t where t.active_model_version = v.id)
                            then 'ACTIVE'
                        when exists (select 1 from tenant t where t.shadow_model_version = v.id) then 'SHADOW'
                        else 'CANDIDATE' end
                    where v.id = :id and v.status <> 'RETIRED'""").setParameter("id", id).executeUpdate();
        }
        ids.forEach(id -> {
            ModelVersion v = ModelVersion.findById(id);
            if (v != null) {
                em.refresh(v);
            }
        });
    }

    private long record(String action, String version, String scope, Map<String, Before> previous, String actor) {
        try {
            Object id = em.createNativeQuery("""
                    insert into model_rollout (actor, action, model_version, scope, previous)
                    values (:actor, :action, :version, :scope, :previous) returning id""")
                    .setParameter("actor", actor).setParameter("action", action).setParameter("version", version)
                    .setParameter("scope", scope).setParameter("previous", JSON.writeValueAsString(previous))
                    .getSingleResult();
            return ((Number) id).longValue();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Object[] rolloutRow(long id) {
        List<?> rows = em.createNativeQuery("""
                select previous, rolled_back_at, model_version from model_rollout where id = :id for update""")
                .setParameter("id", id).getResultList();
        if (rows.isEmpty()) {
            throw ProblemException.notFound("rollout");
        }
        return (Object[]) rows.get(0);
    }

    private static Map<String, Before> parse(String json) {
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Before>>() {
            });
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("unreadable rollout record", e);
        }
    }

    private static void addIfPresent(Set<String> ids, String id) {
        if (id != null) {
            ids.add(id);
        }
    }

}
