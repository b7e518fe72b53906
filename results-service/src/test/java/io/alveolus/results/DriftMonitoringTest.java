package io.alveolus.results;

import io.alveolus.common.events.Priority;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.Tokens;
import io.alveolus.model.ModelBundle;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.AnalysisStatus;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.TenantContext;
import io.alveolus.persistence.model.ModelVersion;
import io.alveolus.persistence.model.ShadowReading;
import io.alveolus.persistence.model.ShadowReadings;
import io.alveolus.results.monitoring.Figures;
import io.alveolus.results.monitoring.Monitor;
import io.alveolus.results.monitoring.Stability;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drift and agreement monitoring against the real database and Keycloak (issue 16, part 4). Both hospitals run a
 * version of their own for this test, so their references are exactly the analyses written here (through the
 * persistence layer, with raw statistics as the worker stores them). St Mary's reference, then darker images with
 * less contrast (not inverted): its PSI crosses the documented alert threshold while Northside's, whose recent images
 * come from its reference's distribution, stays low; no drift is reported before the reference is complete;
 * radiologists' overrules (through the review API) move the agreement figure and its Wilson bound; the gate's
 * rejection rate and shadow agreement come out as counted; gauges, snapshots and the operator API show the same, and
 * the operator API carries no patient data.
 */
@QuarkusTest
class DriftMonitoringTest {
    static final TenantId ST_MARYS = new TenantId("st-marys");
    static final TenantId NORTHSIDE = new TenantId("northside");
    /** docs/operations.md §6a and the chart's default: PSI above this for 30 minutes alerts. */
    static final double PSI_ALERT = 0.25;
    /** alveolus.monitoring.reference-studies in the test profile. */
    static final int REFERENCE = 100;

    @Inject
    Monitor monitor;
    @Inject
    ShadowReadings shadows;

    String version;
    String shadowVersion;
    final Random random = new Random(16);

    /** A registered version of this test's own (a copy of v3's manifest under another id, never loaded). */
    static String registerVersion(String prefix) throws Exception {
        String id = prefix + UUID.randomUUID().toString().substring(0, 8);
        String manifest = new String(ModelBundle.shipped("pneumonia-v3").manifestBytes(), StandardCharsets.UTF_8)
                .replace("\"pneumonia-v3\"", "\"" + id + "\"");
        String sha = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(id.getBytes(StandardCharsets.UTF_8)));
        QuarkusTransaction.requiringNew().run(() -> {
            ModelVersion v = new ModelVersion();
            v.id = id;
            v.name = "pneumonia";
            v.contentSha256 = sha;
            v.source = ModelVersion.REGISTRY;
            v.objectPrefix = "platform/models/" + sha + "/";
            v.status = ModelVersion.CANDIDATE;
            v.manifest = manifest;
            v.registeredBy = "DriftMonitoringTest";
            v.registeredAt = Instant.now();
            v.persist();
        });
        return id;
    }

    static void assign(TenantId tenant, String active, String shadow) {
        QuarkusTransaction.requiringNew().run(() -> {
            Tenant t = Tenant.findById(tenant.value());
            t.activeModelVersion = active;
            t.shadowModelVersion = shadow;
        });
    }

    /** Both hospitals onto versions of this test's own (the drift test only; restored after each test). */
    void versions() throws Exception {
        version = registerVersion("pneumonia-drift-");
        shadowVersion = registerVersion("pneumonia-drift-shadow-");
        assign(ST_MARYS, version, null);
        assign(NORTHSIDE, version, shadowVersion);
    }

    @AfterEach
    void restore() {
        assign(ST_MARYS, null, null);
        assign(NORTHSIDE, null, null);
    }

    /** n values of N(mean, sd), stratified (one per n-quantile, jittered), in random order: a sample of the law. */
    List<Double> normal(int n, double mean, double sd) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double u = (i + random.nextDouble()) / n;
            out.add(mean + sd * probit(u));
        }
        Collections.shuffle(out, random);
        return out;
    }

    /** Acklam's inverse normal CDF (relative error below 1.2e-9): enough for test data. */
    static double probit(double p) {
        double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
                -3.066479806614716e+01, 2.506628277459239e+00};
        double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771082e+01,
                -1.328068155288572e+01};
        double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
                4.374664141464968e+00, 2.938163982698783e+00};
        double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
        double q;
        if (p < 0.02425) {
            q = Math.sqrt(-2 * Math.log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - 0.02425) {
            q = Math.sqrt(-2 * Math.log(1 - p));
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        q = p - 0.5;
        double r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }

    /**
     * Analyses as the worker leaves them: COMPLETED with a probability and raw statistics, completed one second
     * apart from {@code from}. {@code brightness} scales the grey levels (1: as the reference), {@code contrast} their
     * spread around the mean.
     */
    List<UUID> analysed(TenantId tenant, int n, Instant from, double brightness, double contrast) {
        List<Double> means = normal(n, 0.50, 0.04);
        List<Double> scores = normal(n, 0.0, 1.0);
        List<UUID> ids = new ArrayList<>();
        TenantContext.run(tenant, () -> QuarkusTransaction.requiringNew().run(() -> {
            for (int i = 0; i < n; i++) {
                Analysis a = row(tenant, from.plusSeconds(i));
                a.status = AnalysisStatus.COMPLETED;
                a.probability = 1 / (1 + Math.exp(-scores.get(i)));
                a.threshold = 0.5;
                a.positive = a.probability >= a.threshold;
                double sd = 0.20 * contrast;
                a.rawMean = means.get(i) * brightness;
                a.rawStd = sd * brightness;
                a.rawP01 = Math.max(0, a.rawMean - 2.3 * a.rawStd);
                a.rawP99 = Math.min(1, a.rawMean + 2.3 * a.rawStd);
                a.persist();
                ids.add(a.id);
            }
        }));
        return ids;
    }

    /** Images the applicability gate refused: NOT_APPLICABLE, no probability. */
    void refused(TenantId tenant, int n, Instant from) {
        TenantContext.run(tenant, () -> QuarkusTransaction.requiringNew().run(() -> {
            for (int i = 0; i < n; i++) {
                Analysis a = row(tenant, from.plusSeconds(i));
                a.status = AnalysisStatus.NOT_APPLICABLE;
                a.notApplicableReason = "not a frontal chest radiograph like those the model was trained on";
                a.persist();
            }
        }));
    }

    Analysis row(TenantId tenant, Instant completedAt) {
        Analysis a = new Analysis();
        a.id = UUID.randomUUID();
        a.tenant = tenant.value();
        a.studyId = "DRIFT-" + a.id.toString().substring(0, 8);
        a.patientRef = "PSEUDO-DRIFT";
        a.priority = Priority.ROUTINE;
        a.imageSha256 = a.id.toString().replace("-", "") + "0".repeat(32);
        a.imageKey = ObjectStore.imageKey(tenant, a.imageSha256);
        a.contentType = "image/png";
        a.sizeBytes = 1000;
        a.modelVersion = version;
        a.modelSha256 = "0".repeat(64);
        a.receivedAt = completedAt.minusSeconds(2);
        a.completedAt = completedAt;
        return a;
    }

    static Figures of(List<Figures> run, TenantId tenant) {
        return run.stream().filter(f -> f.tenant().equals(tenant.value())).findFirst().orElseThrow();
    }

    /** The value of one gauge series from the Prometheus scrape (NaN when absent). */
    static double gauge(String metrics, String name, TenantId tenant, String version) {
        Matcher m = Pattern.compile("^" + name + "\\{([^}]*)} (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        while (m.find()) {
            if (m.group(1).contains("tenant=\"" + tenant.value() + "\"")
                    && m.group(1).contains("model_version=\"" + version + "\"")) {
                return Double.parseDouble(m.group(2));
            }
        }
        return Double.NaN;
    }

    void review(UUID id, String radiologist, String label) {
        given().auth().oauth2(Tokens.user(radiologist)).contentType("application/json")
                .body(Map.of("label", label)).post("/api/analyses/" + id + "/review").then().statusCode(200);
    }

    static String call(Analysis a) {
        return a.positive ? "PNEUMONIA" : "NO_PNEUMONIA";
    }

    @Test
    void darkerImagesAtOneHospitalCrossThePsiThresholdAndOverrulesMoveTheAgreement() throws Exception {
        versions();
        // the reference: the first analyses on the version, from before the 7-day window; incomplete at first:
        // no drift figure, whatever came so far
        Instant start = Instant.now().minus(Duration.ofDays(10));
        analysed(ST_MARYS, 60, start, 1.0, 1.0);
        analysed(NORTHSIDE, 60, start, 1.0, 1.0);
        Figures early = of(monitor.run(Instant.now()), ST_MARYS);
        assertEquals(version, early.modelVersion());
        assertEquals(60, early.referenceAnalyses());
        assertFalse(early.referenceComplete());
        assertNull(early.intensityPsi(), "no drift until the reference is complete");

        analysed(ST_MARYS, REFERENCE - 60, start.plusSeconds(60), 1.0, 1.0);
        analysed(NORTHSIDE, REFERENCE - 60, start.plusSeconds(60), 1.0, 1.0);
        Instant recentStart = Instant.now().minus(Duration.ofDays(1));
        // St Mary's new detector: darker and flatter images (not inverted); Northside: as before
        List<UUID> marys = analysed(ST_MARYS, 200, recentStart, 0.9, 0.7);
        List<UUID> north = analysed(NORTHSIDE, 200, recentStart, 1.0, 1.0);
        refused(NORTHSIDE, 50, recentStart.plusSeconds(300));

        List<Figures> run = monitor.run(Instant.now());
        Figures m = of(run, ST_MARYS);
        Figures n = of(run, NORTHSIDE);
        assertTrue(m.referenceComplete());
        assertEquals(REFERENCE, m.referenceAnalyses());
        assertEquals(200, m.recentAnalyses(), "only the analyses after the reference are recent");
        assertTrue(m.intensityPsi() > PSI_ALERT, "St Mary's drifted: PSI " + m.intensityPsi());
        assertTrue(n.intensityPsi() < 0.1, "Northside did not: PSI " + n.intensityPsi());
        assertTrue(m.scorePsi() < PSI_ALERT && n.scorePsi() < PSI_ALERT,
                "the scores come from the same law at both (the window keeps the reading): " + m.scorePsi() + " "
                        + n.scorePsi());
        // the gate: 50 of Northside's 250 images in the window refused, none in its reference
        assertEquals(250, n.gateTotal());
        assertEquals(50, n.gateRejected());
        assertEquals(0.2, n.gateRejectionRate(), 1e-9);
        assertEquals(0.0, n.referenceGateRejectionRate(), 1e-9);
        assertEquals(0.0, m.gateRejectionRate(), 1e-9);

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertEquals(m.intensityPsi(), gauge(metrics, "alveolus_monitoring_intensity_psi", ST_MARYS, version), 1e-6);
        assertTrue(gauge(metrics, "alveolus_monitoring_intensity_psi", NORTHSIDE, version) < PSI_ALERT);
        assertEquals(1.0, gauge(metrics, "alveolus_monitoring_reference_complete", ST_MARYS, version));
        assertEquals(0.2, gauge(metrics, "alveolus_monitoring_gate_rejection_rate", NORTHSIDE, version), 1e-9);

        // radiologists confirm 30 of St Mary's results: agreement 1, Wilson lower bound 0.886
        List<Analysis> reviewed = TenantContext.call(ST_MARYS, () -> QuarkusTransaction.requiringNew()
                .call(() -> marys.subList(0, 30).stream().map(id -> Analysis.<Analysis>findById(id)).toList()));
        for (Analysis a : reviewed) {
            review(a.id, "rachel", call(a));
        }
        Figures confirmed = of(monitor.run(Instant.now()), ST_MARYS);
        assertEquals(30, confirmed.reviewed());
        assertEquals(1.0, confirmed.agreement(), 1e-9);
        assertEquals(Stability.wilson(30, 30).lower(), confirmed.agreementLower(), 1e-9);
        assertTrue(confirmed.agreementLower() > 0.8, "lower bound " + confirmed.agreementLower());
        // then overrule 12 of them: 18 of 30 agree, and the interval's lower bound drops below the alert level
        for (Analysis a : reviewed.subList(0, 12)) {
            review(a.id, "rachel", a.positive ? "NO_PNEUMONIA" : "PNEUMONIA");
        }
        Figures overruled = of(monitor.run(Instant.now()), ST_MARYS);
        assertEquals(30, overruled.reviewed());
        assertEquals(18, overruled.confirmed());
        assertEquals(0.6, overruled.agreement(), 1e-9);
        assertTrue(overruled.agreementLower() < 0.5 && overruled.agreementUpper() > 0.7,
                "Wilson 95 % of 18/30: " + overruled.agreementLower() + ".." + overruled.agreementUpper());
        assertNull(of(monitor.run(Instant.now()), NORTHSIDE).agreement(), "nobody reviewed Northside's results");

        // Northside's shadow version read 50 of its recent images and made the same call on 40
        TenantContext.run(NORTHSIDE, () -> QuarkusTransaction.requiringNew().run(() -> {
            for (int i = 0; i < 50; i++) {
                Analysis a = Analysis.findById(north.get(i));
                boolean same = i < 40;
                shadows.record(new ShadowReading(a.id, NORTHSIDE.value(), shadowVersion, "1".repeat(64), "COMPLETED",
                        a.probability, same == a.positive, 0.5, null, null, a.completedAt));
            }
        }));
        Figures shadowed = of(monitor.run(Instant.now()), NORTHSIDE);
        assertEquals(shadowVersion, shadowed.shadowVersion());
        assertEquals(50, shadowed.shadowCompared());
        assertEquals(0.8, shadowed.shadowAgreement(), 1e-9);

        // the operator API: the latest figures per tenant and the history, aggregates only
        for (String token : List.of(Tokens.user("alice"), Tokens.user("rachel"), Tokens.user("adam"),
                Tokens.user("nora"), Tokens.device("st-marys"))) {
            given().auth().oauth2(token).get("/api/admin/monitoring").then().statusCode(403);
            given().auth().oauth2(token).get("/api/admin/monitoring/st-marys/history").then().statusCode(403);
        }
        given().get("/api/admin/monitoring").then().statusCode(401);
        String overview = given().auth().oauth2(Tokens.user("olga")).get("/api/admin/monitoring").then()
                .statusCode(200).extract().asString();
        JsonPath o = JsonPath.from(overview);
        assertEquals(PSI_ALERT, o.getDouble("thresholds.psi"), 1e-9);
        assertEquals(version, o.getString("tenants.find { it.tenant == 'st-marys' }.modelVersion"));
        assertTrue(o.getDouble("tenants.find { it.tenant == 'st-marys' }.intensityPsi") > PSI_ALERT);
        assertEquals(0.6, o.getDouble("tenants.find { it.tenant == 'st-marys' }.agreement"), 1e-9);
        assertEquals(0.8, o.getDouble("tenants.find { it.tenant == 'northside' }.shadowAgreement"), 1e-9);
        assertFalse(overview.contains("DRIFT-") || overview.contains("PSEUDO") || overview.contains(marys.get(0)
                .toString()), "no study, patient or analysis in the operator's figures");

        JsonPath h = given().auth().oauth2(Tokens.user("olga")).get("/api/admin/monitoring/st-marys/history")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(version, h.getString("modelVersion"));
        List<Map<String, Object>> points = h.getList("points");
        assertTrue(points.size() >= 5, "one snapshot per run: " + points.size());
        assertNull(points.get(0).get("intensityPsi"), "the first run had no complete reference");
        assertTrue(((Number) points.get(points.size() - 1).get("intensityPsi")).doubleValue() > PSI_ALERT);
        List<Instant> times = points.stream().map(p -> Instant.parse((String) p.get("at"))).toList();
        assertEquals(times.stream().sorted().toList(), times, "oldest first");
        JsonPath thin = given().auth().oauth2(Tokens.user("olga")).queryParam("points", 2)
                .get("/api/admin/monitoring/st-marys/history").then().statusCode(200).extract().jsonPath();
        assertTrue(thin.getList("points").size() <= 3, "thinned for a plot");
        assertEquals(times.get(times.size() - 1), Instant.parse(thin.getString("points[-1].at")),
                "the latest always included");
        given().auth().oauth2(Tokens.user("olga")).get("/api/admin/monitoring/no-such-tenant/history").then()
                .statusCode(404);
        given().auth().oauth2(Tokens.user("olga")).queryParam("hours", "0")
                .get("/api/admin/monitoring/st-marys/history").then().statusCode(400);

        // after a rollout to another version the old version's series go: its last PSI cannot keep an alert firing
        assign(ST_MARYS, null, null);
        monitor.run(Instant.now());
        String after = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(Double.isNaN(gauge(after, "alveolus_monitoring_intensity_psi", ST_MARYS, version)));
        assertNotNull(of(monitor.run(Instant.now()), NORTHSIDE).intensityPsi());
    }

    @Test
    void psiIsZeroForTheReferenceItselfAndLargeForAShiftedSample() {
        double[] ref = normal(1000, 0.5, 0.05).stream().mapToDouble(Double::doubleValue).toArray();
        assertEquals(0.0, Stability.psi(ref, ref), 1e-12);
        double[] shifted = java.util.Arrays.stream(ref).map(v -> v - 0.05).toArray();
        assertTrue(Stability.psi(ref, shifted) > 0.25, "one sd darker: " + Stability.psi(ref, shifted));
        var w = Stability.wilson(0, 10);
        assertEquals(0.0, w.lower(), 1e-12);
        assertEquals(0.2775, w.upper(), 1e-3, "Wilson 95 % of 0/10");
        assertNull(Stability.wilson(0, 0));
    }
}
