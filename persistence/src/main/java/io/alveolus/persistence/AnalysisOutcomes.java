package io.alveolus.persistence;

import io.alveolus.common.events.AnalysisCompleted;
import io.alveolus.common.tenancy.TenantId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * The worker's commit: a batch's outcomes written as one JDBC batch of updates, then the committed values read back
 * in one select, without loading an entity per row (loading, dirty-checking and flushing them was a third of the
 * worker's own CPU per image; bench/results/profiles-stop23). A row that is already terminal is left as it is, so a
 * redelivered batch changes nothing and announces what was committed the first time. Must run in a transaction
 * (the connection is the transaction's).
 */
@ApplicationScoped
public class AnalysisOutcomes {

    /** What one analysis ended with; {@code status} is COMPLETED, NOT_APPLICABLE or FAILED. */
    public record Outcome(UUID id, AnalysisStatus status, String modelVersion, String modelSha256, Instant completedAt,
                          Integer patientAgeYears, Double rawMean, Double rawStd, Double rawP01, Double rawP99,
                          Double probability, Double threshold, Boolean positive, String population,
                          Boolean populationValidated, byte[] camGrid, Short camWidth, Short camHeight,
                          Integer inferenceMs, String notApplicableReason, String failureReason) {
    }

    private static final String UPDATE = """
            update analysis set status = ?, model_version = ?, model_sha256 = ?, completed_at = ?,
                patient_age_years = ?, raw_mean = ?, raw_std = ?, raw_p01 = ?, raw_p99 = ?, probability = ?,
                threshold = ?, positive = ?, population = ?, population_validated = ?, cam_grid = ?, cam_width = ?,
                cam_height = ?, inference_ms = ?, not_applicable_reason = ?, failure_reason = ?
            where tenant = ? and id = ? and %s""".formatted(AnalysisStatus.NOT_TERMINAL_SQL);

    private static final String COMMITTED = """
            select id, tenant, study_id, status, probability, positive, model_version, failure_reason, completed_at,
                   received_at, inference_ms, size_bytes, heatmap_bytes, overage, not_applicable_reason, population
            from analysis where tenant = ? and id = any(?)""";

    @Inject
    DataSource db;

    /**
     * Writes {@code outcomes} (rows of {@code tenant} only) and returns the completion event of every analysis in
     * {@code ids} that has a row, with the values now committed, in the order of {@code ids}.
     */
    public List<AnalysisCompleted> commit(TenantId tenant, Collection<Outcome> outcomes, List<UUID> ids) {
        try (Connection c = db.getConnection()) {
            if (!outcomes.isEmpty()) {
                try (PreparedStatement s = c.prepareStatement(UPDATE)) {
                    for (Outcome o : outcomes) {
                        int i = 0;
                        s.setString(++i, o.status().name());
                        s.setString(++i, o.modelVersion());
                        s.setString(++i, o.modelSha256());
                        s.setTimestamp(++i, o.completedAt() == null ? null : Timestamp.from(o.completedAt()));
                        s.setObject(++i, o.patientAgeYears(), Types.INTEGER);
                        s.setObject(++i, o.rawMean(), Types.DOUBLE);
                        s.setObject(++i, o.rawStd(), Types.DOUBLE);
                        s.setObject(++i, o.rawP01(), Types.DOUBLE);
                        s.setObject(++i, o.rawP99(), Types.DOUBLE);
                        s.setObject(++i, o.probability(), Types.DOUBLE);
                        s.setObject(++i, o.threshold(), Types.DOUBLE);
                        s.setObject(++i, o.positive(), Types.BOOLEAN);
                        s.setString(++i, o.population());
                        s.setObject(++i, o.populationValidated(), Types.BOOLEAN);
                        s.setBytes(++i, o.camGrid());
                        s.setObject(++i, o.camWidth(), Types.SMALLINT);
                        s.setObject(++i, o.camHeight(), Types.SMALLINT);
                        s.setObject(++i, o.inferenceMs(), Types.INTEGER);
                        s.setString(++i, o.notApplicableReason());
                        s.setString(++i, o.failureReason());
                        s.setString(++i, tenant.value());
                        s.setObject(++i, o.id());
                        s.addBatch();
                    }
                    s.executeBatch();
                }
            }
            java.util.Map<UUID, AnalysisCompleted> committed = new java.util.HashMap<>();
            try (PreparedStatement s = c.prepareStatement(COMMITTED)) {
                s.setString(1, tenant.value());
                s.setArray(2, c.createArrayOf("uuid", ids.toArray()));
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        UUID id = r.getObject(1, UUID.class);
                        committed.put(id, new AnalysisCompleted(id, r.getString(2), r.getString(3), r.getString(4),
                                r.getObject(5, Double.class), r.getObject(6, Boolean.class), r.getString(7),
                                r.getString(8), NativeRows.instant(r.getTimestamp(9)),
                                NativeRows.instant(r.getTimestamp(10)),
                                r.getObject(11, Integer.class), r.getLong(12), r.getObject(13, Long.class),
                                r.getBoolean(14), r.getString(15), r.getString(16)));
                    }
                }
            }
            List<AnalysisCompleted> out = new ArrayList<>();
            for (UUID id : ids) {
                AnalysisCompleted done = committed.get(id);
                if (done != null) {
                    out.add(done);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("committing a batch's results failed", e); // retried as the batch
        }
    }
}
