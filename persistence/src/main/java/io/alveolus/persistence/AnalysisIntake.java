package io.alveolus.persistence;

import io.alveolus.common.events.ImageReceived;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.UUID;

/**
 * The database side of accepting an upload, in two statements and nothing else (issue 14: ingest's CPU per upload
 * went mostly to Hibernate queries, entity loads and transactions around a handful of rows). Plain JDBC on pooled
 * connections in auto-commit: each statement is its own transaction. Must not run inside a JTA transaction.
 * <ol>
 *   <li>{@link #admit}: duplicate check, the subscription's standing and limits, the per-minute count
 *       ({@code admit_upload}, V13);</li>
 *   <li>then, once the image is durable in the object store, {@link #queue}: the QUEUED row and its outbox event
 *       together (one statement, so one transaction: the event exists exactly when the row does).</li>
 * </ol>
 */
@ApplicationScoped
public class AnalysisIntake {

    /** What {@code admit_upload} decided. */
    public enum Outcome { ADMITTED, DUPLICATE, UNKNOWN_TENANT, SUSPENDED, NOT_YET_VALID, EXPIRED, RATE_LIMITED, ALLOWANCE_USED }

    /**
     * @param existingStatus the analysis' status (DUPLICATE)
     * @param detail         the date (NOT_YET_VALID, EXPIRED) or limit (RATE_LIMITED, ALLOWANCE_USED) of a refusal
     * @param retryAfter     seconds to the next minute (RATE_LIMITED)
     */
    public record Admission(Outcome outcome, String existingStatus, boolean overage, boolean urgentLane, String detail,
                            Integer retryAfter) {
    }

    private static final String QUEUE = """
            with row as (
                insert into analysis (id, tenant, study_id, patient_ref, referring_physician, priority, image_key,
                                      image_sha256, content_type, size_bytes, status, received_at, attempts,
                                      study_instance_uid, sop_instance_uid, view_position, overage)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'QUEUED', ?, 0, ?, ?, ?, ?)
                on conflict do nothing
                returning id)
            insert into outbox_event (topic, event_key, payload, subject)
            select ?, ?, ?, id::text from row""";

    @Inject
    DataSource db;

    public Admission admit(String tenant, UUID analysisId, boolean urgent) {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("select * from admit_upload(?, ?, ?)")) {
            s.setString(1, tenant);
            s.setObject(2, analysisId);
            s.setBoolean(3, urgent);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                int retry = r.getInt("retry_after");
                return new Admission(Outcome.valueOf(r.getString("outcome")), r.getString("existing_status"),
                        r.getBoolean("overage"), r.getBoolean("urgent_lane"), r.getString("detail"),
                        r.wasNull() ? null : retry);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("admitting an upload failed", e); // an SQLException: answered 503
        }
    }

    /**
     * Writes the QUEUED row and its event (to {@code topic}, keyed {@code eventKey}); false when the row already
     * existed (the same upload, sent twice at once: the other request committed first), and then no event is
     * written either.
     */
    public boolean queue(ImageReceived e, boolean overage, String topic, String eventKey, String payload) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(QUEUE)) {
            int i = 0;
            s.setObject(++i, e.analysisId());
            s.setString(++i, e.tenant());
            s.setString(++i, e.studyId());
            s.setString(++i, e.patientRef());
            s.setString(++i, e.referringPhysician());
            s.setString(++i, e.priority().name());
            s.setString(++i, e.imageKey());
            s.setString(++i, e.sha256());
            s.setString(++i, e.contentType());
            s.setLong(++i, e.sizeBytes());
            s.setTimestamp(++i, Timestamp.from(e.receivedAt()));
            s.setString(++i, e.dicom() == null ? null : e.dicom().studyInstanceUid());
            s.setString(++i, e.dicom() == null ? null : e.dicom().sopInstanceUid());
            s.setString(++i, e.dicom() == null ? null : e.dicom().viewPosition());
            s.setBoolean(++i, overage);
            s.setString(++i, topic);
            s.setString(++i, eventKey);
            s.setString(++i, payload);
            return s.executeUpdate() == 1;
        } catch (SQLException ex) {
            throw new IllegalStateException("storing an accepted upload failed", ex); // an SQLException: answered 503
        }
    }
}
