package io.alveolus.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Controls the local stack (via its own scripts) and reads PostgreSQL directly. */
final class Stack {
    static final String JDBC = "jdbc:postgresql://127.0.0.1:15432/alveolus";

    private Stack() {
    }

    static void script(String name, String... args) throws Exception {
        var cmd = new java.util.ArrayList<>(java.util.List.of("bash", ServiceProcess.ROOT.resolve("stack/" + name).toString()));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("stack/" + name + " failed");
        }
    }

    /** Status of each given analysis; empty while the database is down. */
    static Map<String, Integer> statusCounts(Collection<UUID> ids) {
        Map<String, Integer> counts = new HashMap<>();
        try (Connection c = DriverManager.getConnection(JDBC, "alveolus", "alveolus");
             var st = c.prepareStatement("select status, count(*) from analysis where id = any(?) group by status")) {
            st.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            try (var rs = st.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getInt(2));
                }
            }
        } catch (SQLException e) {
            return Map.of();
        }
        return counts;
    }

    /** When an analysis became terminal, in epoch milliseconds (0 while it is not). */
    static long completedAtMillis(UUID id) throws SQLException {
        return single("select coalesce((extract(epoch from completed_at) * 1000)::bigint, 0) from analysis where id = ?",
                id);
    }

    static long rowsForStudies(String studyPrefix) throws SQLException {
        try (Connection c = DriverManager.getConnection(JDBC, "alveolus", "alveolus");
             var st = c.prepareStatement("select count(*) from analysis where study_id like ?")) {
            st.setString(1, studyPrefix + "%");
            try (var rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Events of these analyses still waiting in the transactional outbox (written, not yet on the broker). */
    static long pendingEvents(Collection<UUID> ids) throws SQLException {
        try (Connection c = DriverManager.getConnection(JDBC, "alveolus", "alveolus");
             var st = c.prepareStatement("select count(*) from outbox_event where published_at is null and subject = any(?)")) {
            st.setArray(1, c.createArrayOf("varchar", ids.stream().map(UUID::toString).toArray()));
            try (var rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static long ledgerRows(Collection<UUID> ids) throws SQLException {
        return single("select count(*) from usage_record where analysis_id = any(?)", (Object) ids.toArray());
    }

    /** Studies in the ledger for the current billing period (calendar month, UTC). */
    static long ledgerStudies(String tenant) throws SQLException {
        return single("select coalesce(sum(studies), 0) from usage_record where tenant = ? "
                + "and usage_day >= date_trunc('month', now() at time zone 'UTC') "
                + "and usage_day < date_trunc('month', now() at time zone 'UTC') + interval '1 month'", tenant);
    }

    static int uploadsThisMinute(String tenant) throws SQLException {
        return (int) single("select coalesce(max(uploads), 0) from upload_rate where tenant = ? "
                + "and window_start = date_trunc('minute', now())", tenant);
    }

    /** How many of {@code ids} completed after {@code from} and before {@code urgent} completed. */
    static long completedBetween(Collection<UUID> ids, java.time.Instant from, UUID urgent) throws SQLException {
        return single("select count(*) from analysis a, analysis u where u.id = ? and a.id = any(?) "
                + "and a.completed_at > ? and a.completed_at < u.completed_at", urgent, ids.toArray(),
                java.sql.Timestamp.from(from));
    }

    /** Waits until a consumer group has members with partitions assigned (a started worker has joined it). */
    static void awaitGroupAssigned(String group, java.time.Duration max) throws Exception {
        var props = new java.util.Properties();
        props.put("bootstrap.servers", io.alveolus.common.testing.EventProbe.BOOTSTRAP);
        try (var admin = org.apache.kafka.clients.admin.Admin.create(props)) {
            long end = System.nanoTime() + max.toNanos();
            while (System.nanoTime() < end) {
                var d = admin.describeConsumerGroups(java.util.List.of(group)).all().get().get(group);
                if (d.groupState() == org.apache.kafka.common.GroupState.STABLE
                        && d.members().stream().anyMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
                    return;
                }
                Thread.sleep(200);
            }
            throw new AssertionError("consumer group " + group + " has no assigned member");
        }
    }

    private static long single(String sql, Object... params) throws SQLException {
        try (Connection c = DriverManager.getConnection(JDBC, "alveolus", "alveolus");
             var st = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                if (params[i] instanceof Object[] array) {
                    st.setArray(i + 1, c.createArrayOf("uuid", array));
                } else {
                    st.setObject(i + 1, params[i]);
                }
            }
            try (var rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
