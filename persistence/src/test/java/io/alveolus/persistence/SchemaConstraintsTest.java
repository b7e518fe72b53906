package io.alveolus.persistence;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every migration, from an empty schema of its own in the local stack's PostgreSQL, then the checks the database
 * itself enforces for NOT_APPLICABLE (issue 13): whatever code writes the row, an image the model did not read
 * cannot carry a probability, and the ledger cannot bill it.
 */
class SchemaConstraintsTest {
    static final String SCHEMA = "schema_test_" + UUID.randomUUID().toString().substring(0, 8);
    static Properties db;

    @BeforeAll
    static void migrateAFreshSchema() throws IOException {
        db = new Properties();
        try (InputStream in = SchemaConstraintsTest.class.getResourceAsStream("/META-INF/microprofile-config.properties")) {
            db.load(in); // the same database the services use by default: the local stack's
        }
        Flyway.configure().dataSource(db.getProperty("quarkus.datasource.jdbc.url"),
                        db.getProperty("quarkus.datasource.username"), db.getProperty("quarkus.datasource.password"))
                .schemas(SCHEMA).createSchemas(true).locations("classpath:db/migration").load().migrate();
    }

    @AfterAll
    static void dropIt() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("drop schema " + SCHEMA + " cascade");
        }
    }

    static Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(db.getProperty("quarkus.datasource.jdbc.url"),
                db.getProperty("quarkus.datasource.username"), db.getProperty("quarkus.datasource.password"));
        try (Statement s = c.createStatement()) {
            s.execute("set search_path to " + SCHEMA);
        }
        return c;
    }

    static void exec(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The statement must be refused by exactly this check constraint (not by some other mistake in the test). */
    static void refusedBy(String constraint, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> exec(sql), sql);
        assertEquals("23514", e.getSQLState(), e.getMessage());
        assertTrue(e.getMessage().contains(constraint), e.getMessage());
    }

    static String analysis(String status, String probability, String positive, String threshold, String heatmapKey,
                           String reason) {
        return analysis(status, probability, positive, threshold, heatmapKey, reason, "null", "null");
    }

    /** An analysis row; every value is SQL (quoted strings, or null). */
    static String analysis(String status, String probability, String positive, String threshold, String heatmapKey,
                           String reason, String population, String ageYears) {
        String id = UUID.randomUUID().toString();
        return "insert into analysis (id, tenant, study_id, patient_ref, priority, image_key, image_sha256, "
                + "content_type, size_bytes, status, probability, positive, threshold, heatmap_key, "
                + "not_applicable_reason, population, patient_age_years, received_at, attempts) values ('" + id
                + "', 'st-marys', 'S-" + id + "', 'P', 'ROUTINE', 'st-marys/images/" + id + "', '" + "0".repeat(64)
                + "', 'image/png', 1, '" + status + "', " + probability + ", " + positive + ", " + threshold + ", "
                + heatmapKey + ", " + reason + ", " + population + ", " + ageYears + ", now(), 0)";
    }

    @Test
    void aNotApplicableAnalysisCannotCarryAProbabilityOrAHeatMap() throws SQLException {
        exec(analysis("NOT_APPLICABLE", "null", "null", "null", "null", "'lateral view (ViewPosition LL)'"));
        exec(analysis("COMPLETED", "0.4", "false", "0.5", "'st-marys/heatmaps/x.png'", "null"));
        refusedBy("analysis_not_applicable_ck", analysis("NOT_APPLICABLE", "0.4", "null", "null", "null", "'r'"));
        refusedBy("analysis_not_applicable_ck", analysis("NOT_APPLICABLE", "null", "false", "null", "null", "'r'"));
        refusedBy("analysis_not_applicable_ck", analysis("NOT_APPLICABLE", "null", "null", "0.5", "null", "'r'"));
        refusedBy("analysis_not_applicable_ck",
                analysis("NOT_APPLICABLE", "null", "null", "null", "'st-marys/heatmaps/x.png'", "'r'"));
        // nor can a completed row be turned into one while it keeps its probability
        refusedBy("analysis_not_applicable_ck",
                "update analysis set status = 'NOT_APPLICABLE', heatmap_key = null where status = 'COMPLETED'");
        refusedBy("analysis_status_ck", analysis("NOT_READ", "null", "null", "null", "null", "null"));
    }

    @Test
    void populationAgeAndPerPopulationOverridesAreChecked() throws SQLException {
        String queued = "QUEUED";
        refusedBy("analysis_population_ck", analysis(queued, "null", "null", "null", "null", "null", "'teenager'", "null"));
        refusedBy("analysis_patient_age_ck", analysis(queued, "null", "null", "null", "null", "null", "null", "131"));
        refusedBy("analysis_patient_age_ck", analysis(queued, "null", "null", "null", "null", "null", "null", "-1"));
        exec(analysis(queued, "null", "null", "null", "null", "null", "'paediatric'", "3"));
        exec(analysis(queued, "null", "null", "null", "null", "null", "'adult'", "130"));
        String tenant = "insert into tenant (id, name, threshold_override_paediatric, threshold_override_adult) "
                + "values ('t-" + UUID.randomUUID().toString().substring(0, 8) + "', 'T', ";
        exec(tenant + "0.5, null)");
        refusedBy("tenant_threshold_override_paediatric_ck", tenant + "1.5, null)");
        refusedBy("tenant_threshold_override_adult_ck", tenant + "null, -0.1)");
    }

    @Test
    void theLedgerCountsANotApplicableAnalysisButCannotBillIt() throws SQLException {
        String row = "insert into usage_record (analysis_id, tenant, usage_day, studies, inference_ms, storage_bytes, "
                + "overage, completed_at, not_applicable) values (gen_random_uuid(), 'st-marys', current_date, ";
        exec(row + "1, 40, 1300, false, now(), 0)");
        exec(row + "0, 0, 0, false, now(), 1)");
        refusedBy("usage_record_not_applicable_ck", row + "1, 0, 0, false, now(), 1)");
        refusedBy("usage_record_not_applicable_ck", row + "0, 40, 0, false, now(), 1)");
        refusedBy("usage_record_not_applicable_ck", row + "0, 0, 1300, false, now(), 1)");
        refusedBy("usage_record_not_applicable_ck", row + "0, 0, 0, true, now(), 1)");
        refusedBy("usage_record_not_applicable_ck", row + "0, 0, 0, false, now(), 2)");
    }
}
