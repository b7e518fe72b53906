package io.alveolus.persistence.model;

import io.alveolus.persistence.Tenant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import java.util.List;
import java.util.Optional;

/**
 * The registry's reads and the bootstrap of shipped versions, shared by the worker (which versions to run) and
 * results-service (the operator API, the model card clinicians see).
 */
@ApplicationScoped
public class ModelRegistry {

    private static EntityManager em() {
        return ModelVersion.getEntityManager();
    }

    public Optional<ModelVersion> find(String id) {
        return Optional.ofNullable(ModelVersion.findById(id));
    }

    public List<ModelVersion> all() {
        return ModelVersion.list("order by registeredAt, id");
    }

    /** The version a tenant without an assignment of its own runs (empty only before the bootstrap). */
    public Optional<String> platformDefault() {
        List<?> ids = em().createNativeQuery("select id from model_version where platform_default").getResultList();
        return ids.isEmpty() ? Optional.empty() : Optional.of((String) ids.get(0));
    }

    /** A tenant's assignment, the platform default filled in; {@code defaultVersion} when nothing is registered. */
    public static ModelAssignment assignmentOf(Tenant t, String defaultVersion) {
        String active = t == null || t.activeModelVersion == null ? defaultVersion : t.activeModelVersion;
        return new ModelAssignment(active, t == null ? null : t.shadowModelVersion);
    }

    /**
     * Registers a version shipped in the service's image if the registry lacks it, and makes it the platform
     * default when there is none yet (a fresh database). Several services start at once: the insert ignores a
     * duplicate and an advisory lock serialises the choice of the default. Must run in a transaction.
     *
     * @return whether the registry already held this id with another content hash (a stale image: the caller
     * refuses to run it under that id)
     */
    public boolean bootstrapShipped(String id, String name, String contentSha256, String manifestJson,
                                    boolean defaultIfNone) {
        em().createNativeQuery("select pg_advisory_xact_lock(hashtext('alveolus.model_version.bootstrap'))")
                .getSingleResult();
        em().createNativeQuery("""
                insert into model_version (id, name, content_sha256, source, status, manifest, registered_by)
                values (:id, :name, :sha, 'SHIPPED', 'CANDIDATE', :manifest, 'bootstrap')
                on conflict do nothing""")
                .setParameter("id", id).setParameter("name", name).setParameter("sha", contentSha256)
                .setParameter("manifest", manifestJson).executeUpdate();
        if (defaultIfNone) {
            em().createNativeQuery("""
                    update model_version set platform_default = true, status = 'ACTIVE',
                           promoted_by = 'bootstrap', promoted_at = now()
                    where id = :id and content_sha256 = :sha
                      and not exists (select 1 from model_version where platform_default)""")
                    .setParameter("id", id).setParameter("sha", contentSha256).executeUpdate();
        }
        List<?> sha = em().createNativeQuery("select content_sha256 from model_version where id = :id")
                .setParameter("id", id).getResultList();
        return !sha.isEmpty() && !contentSha256.equals(sha.get(0));
    }
}
