package io.alveolus.persistence;

import io.alveolus.common.api.AnalysisView;
import io.alveolus.common.api.Page;
import io.alveolus.common.events.ImageReceived;
import io.alveolus.common.events.StoredFields;
import io.alveolus.common.tenancy.Caller;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.common.tenancy.TenantId;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Tenant-scoped reads: every query here takes the caller's tenant and filters on it. */
@ApplicationScoped
public class AnalysisRepository {

    public Optional<Analysis> find(TenantId tenant, UUID id) {
        return Analysis.<Analysis>find("id = :id and tenant = :tenant",
                Parameters.with("id", id).and("tenant", tenant.value())).firstResultOptional();
    }

    /** An analysis the caller may see: their tenant's, and for a referring physician only their own studies. */
    public Optional<Analysis> find(Caller caller, UUID id) {
        return find(caller.tenant(), id).filter(a -> {
            String physician = ownStudiesOnly(caller);
            return physician == null || physician.equals(a.referringPhysician);
        });
    }

    /** Referring physicians see only studies they referred; radiologists see the whole tenant. */
    static String ownStudiesOnly(Caller caller) {
        return caller.hasRole(Roles.RADIOLOGIST) ? null : caller.username();
    }

    /**
     * Creates the QUEUED row for an image-received event unless it exists (ingest and the worker both call
     * this, in either order). Must run in a transaction. Returns whether a row was created.
     */
    public boolean insertQueued(ImageReceived e) {
        int rows = Analysis.getEntityManager().createNativeQuery("""
                insert into analysis (id, tenant, study_id, patient_ref, referring_physician, priority, image_key,
                                      image_sha256, content_type, size_bytes, status, received_at, attempts,
                                      study_instance_uid, sop_instance_uid, view_position)
                values (:id, :tenant, :study, :patient, :physician, :priority, :key, :sha, :type, :size, 'QUEUED',
                        :received, 0, :studyUid, :sopUid, :view)
                on conflict do nothing""")
                .setParameter("studyUid", e.dicom() == null ? null : e.dicom().studyInstanceUid())
                .setParameter("sopUid", e.dicom() == null ? null : e.dicom().sopInstanceUid())
                .setParameter("view", e.dicom() == null ? null : e.dicom().viewPosition())
                .setParameter("id", e.analysisId()).setParameter("tenant", e.tenant())
                .setParameter("study", e.studyId()).setParameter("patient", e.patientRef())
                .setParameter("physician", e.referringPhysician()).setParameter("priority", e.priority().name())
                .setParameter("key", e.imageKey()).setParameter("sha", e.sha256())
                .setParameter("type", e.contentType()).setParameter("size", e.sizeBytes())
                .setParameter("received", e.receivedAt()).executeUpdate();
        return rows == 1;
    }

    /**
     * Marks the tenant's analyses among {@code ids} that are not terminal PROCESSING (one more attempt) in one
     * statement; returns the ids it marked. Must run in a transaction.
     */
    public java.util.Set<UUID> claim(TenantId tenant, java.util.Collection<UUID> ids) {
        return ids(tenant, ids, CLAIM);
    }

    private static final String CLAIM = """
            update analysis set status = 'PROCESSING', attempts = attempts + 1
            where tenant = :tenant and id = any(cast(:ids as uuid[]))
              and %s
            returning id""".formatted(AnalysisStatus.NOT_TERMINAL_SQL);

    /** Which of {@code ids} the tenant has a row for. Must run in a transaction. */
    public java.util.Set<UUID> existing(TenantId tenant, java.util.Collection<UUID> ids) {
        return ids(tenant, ids, "select id from analysis where tenant = :tenant and id = any(cast(:ids as uuid[]))");
    }

    /**
     * Which of {@code ids} came as DICOM (their Study and SOP Instance UIDs are known: only those can be filed in a
     * PACS), with their Study Instance UID. Must run in a transaction.
     */
    public java.util.Map<UUID, String> dicomStudies(TenantId tenant, java.util.Collection<UUID> ids) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = Analysis.getEntityManager().createNativeQuery("""
                select id, study_instance_uid from analysis where tenant = :tenant and id = any(cast(:ids as uuid[]))
                  and sop_instance_uid is not null and study_instance_uid is not null""")
                .setParameter("tenant", tenant.value()).setParameter("ids", uuidArray(ids)).getResultList();
        java.util.Map<UUID, String> out = new java.util.HashMap<>();
        rows.forEach(r -> out.put(r[0] instanceof UUID u ? u : UUID.fromString(r[0].toString()), (String) r[1]));
        return out;
    }

    /** Every DICOM analysis of the tenant's study, oldest first (index V22). In a transaction. */
    public List<Analysis> ofStudy(TenantId tenant, String studyInstanceUid) {
        return Analysis.list("tenant = ?1 and studyInstanceUid = ?2 and sopInstanceUid is not null order by receivedAt",
                tenant.value(), studyInstanceUid);
    }

    /** The ids a native statement over the tenant's {@code :ids} returns. */
    private static java.util.Set<UUID> ids(TenantId tenant, java.util.Collection<UUID> ids, String sql) {
        @SuppressWarnings("unchecked")
        List<Object> rows = Analysis.getEntityManager().createNativeQuery(sql).setParameter("tenant", tenant.value())
                .setParameter("ids", uuidArray(ids)).getResultList();
        java.util.Set<UUID> out = new java.util.HashSet<>();
        rows.forEach(o -> out.add(o instanceof UUID u ? u : UUID.fromString(o.toString())));
        return out;
    }

    private static String uuidArray(java.util.Collection<UUID> ids) {
        return ids.stream().map(UUID::toString).collect(java.util.stream.Collectors.joining(",", "{", "}"));
    }

    /**
     * Records an event the worker gave up on as FAILED, whatever its fields hold: values too long for their
     * columns are cut, identifiers that broke the insert are left out, so that the failure itself can always be
     * stored. A row already terminal is left as it is, and so is a row of another tenant that happens to hold the
     * id (this is a native query: no tenant filter applies unless it names one). Must run in a transaction.
     */
    public void upsertFailed(ImageReceived e, String reason, String modelVersion, Instant at) {
        Analysis.getEntityManager().createNativeQuery("""
                insert into analysis (id, tenant, study_id, patient_ref, referring_physician, priority, image_key,
                                      image_sha256, content_type, size_bytes, status, received_at, attempts)
                values (:id, :tenant, :study, :patient, :physician, :priority, :key, :sha, :type, :size, 'QUEUED',
                        :received, 0)
                on conflict do nothing""")
                .setParameter("id", e.analysisId()).setParameter("tenant", cut(e.tenant(), StoredFields.TENANT))
                .setParameter("study", cut(orUnknown(e.studyId()), StoredFields.STUDY_ID))
                .setParameter("patient", cut(orUnknown(e.patientRef()), StoredFields.PATIENT_REF))
                .setParameter("physician", cut(e.referringPhysician(), StoredFields.REFERRING_PHYSICIAN))
                .setParameter("priority", e.priority() == null ? "ROUTINE" : e.priority().name())
                .setParameter("key", cut(orUnknown(e.imageKey()), StoredFields.IMAGE_KEY))
                .setParameter("sha", e.sha256() != null && e.sha256().matches("[0-9a-f]{64}") ? e.sha256()
                        : java.util.HexFormat.of().formatHex(sha256(e.analysisId().toString())))
                .setParameter("type", cut(orUnknown(e.contentType()), StoredFields.CONTENT_TYPE))
                .setParameter("size", e.sizeBytes())
                .setParameter("received", e.receivedAt() == null ? at : e.receivedAt()).executeUpdate();
        Analysis.getEntityManager().createNativeQuery("""
                update analysis set status = 'FAILED', failure_reason = :reason, model_version = :model,
                                    completed_at = :at, attempts = attempts + 1
                where id = :id and tenant = :tenant and %s""".formatted(AnalysisStatus.NOT_TERMINAL_SQL))
                .setParameter("reason", cut(reason, 500)).setParameter("model", cut(modelVersion, 64))
                .setParameter("at", at).setParameter("id", e.analysisId()).setParameter("tenant", e.tenant())
                .executeUpdate();
    }

    /** Fits a value to its column: NUL characters (which PostgreSQL text cannot hold) dropped, then cut. */
    private static String cut(String s, int max) {
        if (s == null) {
            return null;
        }
        String t = s.replace("\0", "");
        return t.length() <= max ? t : t.substring(0, max);
    }

    private static String orUnknown(String s) {
        return s == null || s.isBlank() ? "unknown" : s;
    }

    private static byte[] sha256(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    public record Filter(AnalysisStatus status, Instant from, Instant to, Boolean positive, String studyId,
                         boolean triage) {
    }

    public Page<AnalysisView> page(Caller caller, Filter f, int page, int size) {
        StringBuilder q = new StringBuilder("tenant = :tenant");
        Parameters p = Parameters.with("tenant", caller.tenant().value());
        String physician = ownStudiesOnly(caller);
        if (physician != null) {
            q.append(" and referringPhysician = :physician");
            p.and("physician", physician);
        }
        if (f.status() != null) {
            q.append(" and status = :status");
            p.and("status", f.status());
        }
        if (f.from() != null) {
            q.append(" and receivedAt >= :from");
            p.and("from", f.from());
        }
        if (f.to() != null) {
            q.append(" and receivedAt < :to");
            p.and("to", f.to());
        }
        if (f.positive() != null) {
            q.append(" and positive = :positive");
            p.and("positive", f.positive());
        }
        if (f.studyId() != null) {
            q.append(" and studyId = :studyId");
            p.and("studyId", f.studyId());
        }
        // Triage: flagged first (highest probability first), then urgent, then newest.
        Sort sort = f.triage()
                ? Sort.by("positive", Sort.Direction.Descending, Sort.NullPrecedence.NULLS_LAST)
                        .and("probability", Sort.Direction.Descending, Sort.NullPrecedence.NULLS_LAST)
                        .and("priority", Sort.Direction.Descending).and("receivedAt", Sort.Direction.Descending)
                : Sort.by("receivedAt", Sort.Direction.Descending).and("id");
        var query = Analysis.<Analysis>find(q.toString(), sort, p);
        List<AnalysisView> items = new ArrayList<>();
        for (Analysis a : query.page(page, size).list()) {
            items.add(view(a));
        }
        return new Page<>(items, page, size, query.count());
    }

    public static AnalysisView view(Analysis a) {
        return new AnalysisView(a.id, a.studyId, a.patientRef, a.referringPhysician, a.priority, a.status.name(),
                a.probability, a.positive, a.threshold, a.modelVersion, a.hasHeatmap(), a.failureReason,
                a.receivedAt, a.completedAt, a.inferenceMs, a.reviewLabel, a.reviewComment, a.reviewedBy,
                a.reviewedAt, a.notApplicableReason, a.population, a.populationValidated);
    }
}
