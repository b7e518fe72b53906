package io.alveolus.results;

import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.Tokens;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.AuditEvent;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.TenantContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plans and subscriptions: operators change them (on northside, restored after each test), hospitals read them. */
@QuarkusTest
class SubscriptionAdminTest {
    static final String NORTHSIDE = "northside";
    static final String ADMIN_PATH = "/api/admin/tenants/" + NORTHSIDE + "/subscription";

    /** northside's row before the test, put back afterwards so other tests and services see what they expect. */
    Tenant saved;

    @BeforeEach
    void save() {
        saved = QuarkusTransaction.requiringNew().call(() -> Tenant.findById(NORTHSIDE));
    }

    @AfterEach
    void restore() {
        QuarkusTransaction.requiringNew().run(() -> {
            Tenant t = Tenant.findById(NORTHSIDE);
            t.plan = saved.plan;
            t.status = saved.status;
            t.validFrom = saved.validFrom;
            t.validUntil = saved.validUntil;
            t.monthlyAllowance = saved.monthlyAllowance;
            t.maxUploadsPerMinute = saved.maxUploadsPerMinute;
            t.urgentPerMinute = saved.urgentPerMinute;
            t.overagePolicy = saved.overagePolicy;
        });
    }

    static RequestSpecification as(String user) {
        return given().auth().oauth2(Tokens.user(user)).contentType("application/json");
    }

    @Test
    void operatorListsThePlans() {
        as("olga").get("/api/admin/plans").then().statusCode(200)
                .body("id", equalTo(List.of("trial", "standard", "enterprise")))
                .body("find { it.id == 'trial' }.monthlyAllowance", equalTo(500))
                .body("find { it.id == 'trial' }.maxUploadsPerMinute", equalTo(30))
                .body("find { it.id == 'trial' }.urgentPerMinute", equalTo(0))
                .body("find { it.id == 'trial' }.overagePolicy", equalTo("REJECT"))
                .body("find { it.id == 'standard' }.monthlyAllowance", equalTo(20000))
                .body("find { it.id == 'standard' }.urgentPerMinute", equalTo(60))
                .body("find { it.id == 'enterprise' }.maxUploadsPerMinute", equalTo(3000))
                .body("find { it.id == 'enterprise' }.urgentPerMinute", equalTo(300))
                .body("find { it.id == 'enterprise' }.overagePolicy", equalTo("ACCEPT"));
    }

    @Test
    void movingToAPlanCopiesItsLimitsAndIsAudited() {
        as("olga").body("{\"plan\":\"trial\"}").put(ADMIN_PATH).then().statusCode(200)
                .body("tenant", equalTo(NORTHSIDE)).body("plan", equalTo("trial"))
                .body("status", equalTo("ACTIVE")).body("effectiveStatus", equalTo("ACTIVE"))
                .body("monthlyAllowance", equalTo(500)).body("maxUploadsPerMinute", equalTo(30))
                .body("urgentPerMinute", equalTo(0)).body("overagePolicy", equalTo("REJECT"));
        Tenant t = QuarkusTransaction.requiringNew().call(() -> Tenant.findById(NORTHSIDE));
        assertEquals("trial", t.plan);
        assertEquals(500, t.monthlyAllowance);
        assertEquals(30, t.maxUploadsPerMinute);
        assertEquals(0, t.urgentPerMinute);
        assertEquals("REJECT", t.overagePolicy);
        as("olga").get(ADMIN_PATH).then().statusCode(200).body("plan", equalTo("trial"))
                .body("monthlyAllowance", equalTo(500));
        long audited = QuarkusTransaction.requiringNew().call(() -> AuditEvent.count(
                "actor = 'olga' and action = 'tenant.subscription.change' and resourceId = ?1", NORTHSIDE));
        assertTrue(audited >= 1, "the change is in the audit trail");
    }

    @Test
    void overridesApplyAfterThePlanAndValidityShowsInTheEffectiveStatus() {
        String from = Instant.now().plus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        String until = Instant.now().plus(400, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        as("olga").body("""
                        {"plan":"enterprise","validFrom":"%s","validUntil":"%s",
                         "overrides":{"monthlyAllowance":250000,"urgentPerMinute":500,"overagePolicy":"REJECT"}}"""
                        .formatted(from, until))
                .put(ADMIN_PATH).then().statusCode(200)
                .body("plan", equalTo("enterprise")).body("monthlyAllowance", equalTo(250000))
                .body("maxUploadsPerMinute", equalTo(3000)).body("urgentPerMinute", equalTo(500))
                .body("overagePolicy", equalTo("REJECT")).body("validFrom", equalTo(from))
                .body("validUntil", equalTo(until)).body("effectiveStatus", equalTo("NOT_YET_VALID"));
        // a change without a plan keeps the overrides; clearing validity makes the tenant active now
        as("olga").body("{\"clearValidFrom\":true,\"overrides\":{\"maxUploadsPerMinute\":0}}").put(ADMIN_PATH)
                .then().statusCode(200).body("monthlyAllowance", equalTo(250000))
                .body("maxUploadsPerMinute", equalTo(0)).body("validFrom", nullValue())
                .body("validUntil", equalTo(until)).body("effectiveStatus", equalTo("ACTIVE"));
        String past = Instant.now().minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        as("olga").body("{\"validUntil\":\"" + past + "\"}").put(ADMIN_PATH).then().statusCode(200)
                .body("effectiveStatus", equalTo("EXPIRED"));
        as("olga").body("{\"status\":\"SUSPENDED\",\"clearValidUntil\":true}").put(ADMIN_PATH).then().statusCode(200)
                .body("status", equalTo("SUSPENDED")).body("effectiveStatus", equalTo("SUSPENDED"))
                .body("validUntil", nullValue());
        // the plan again resets the limits to the plan's
        as("olga").body("{\"plan\":\"enterprise\",\"status\":\"ACTIVE\"}").put(ADMIN_PATH).then().statusCode(200)
                .body("monthlyAllowance", equalTo(200000)).body("urgentPerMinute", equalTo(300))
                .body("overagePolicy", equalTo("ACCEPT")).body("effectiveStatus", equalTo("ACTIVE"));
    }

    @Test
    void invalidChangesAre400ProblemsAndChangeNothing() {
        String t0 = "2030-01-01T00:00:00Z";
        String[][] cases = {
                {"{\"plan\":\"gold\"}", "unknown plan"},
                {"{\"overrides\":{\"monthlyAllowance\":-1}}", "monthlyAllowance must not be negative"},
                {"{\"overrides\":{\"maxUploadsPerMinute\":-5}}", "maxUploadsPerMinute must not be negative"},
                {"{\"overrides\":{\"urgentPerMinute\":-1}}", "urgentPerMinute must not be negative"},
                {"{\"overrides\":{\"overagePolicy\":\"MAYBE\"}}", "overagePolicy must be ACCEPT or REJECT"},
                {"{\"validFrom\":\"" + t0 + "\",\"validUntil\":\"2029-12-31T00:00:00Z\"}", "must be after validFrom"},
                {"{\"validFrom\":\"" + t0 + "\",\"validUntil\":\"" + t0 + "\"}", "must be after validFrom"},
                {"{\"validUntil\":\"next year\"}", "validUntil must be an ISO-8601 time"},
                {"{\"status\":\"DELETED\"}", "status must be ACTIVE or SUSPENDED"},
                {"{\"plan\":\"trial\",\"status\":\"active\"}", "status must be ACTIVE or SUSPENDED"},
        };
        for (String[] c : cases) {
            as("olga").body(c[0]).put(ADMIN_PATH).then().statusCode(400)
                    .contentType("application/problem+json").body("status", equalTo(400))
                    .body("detail", containsString(c[1]));
        }
        // validUntil before the validFrom already stored
        as("olga").body("{\"validFrom\":\"" + t0 + "\"}").put(ADMIN_PATH).then().statusCode(200);
        as("olga").body("{\"validUntil\":\"2029-06-01T00:00:00Z\"}").put(ADMIN_PATH).then().statusCode(400)
                .body("detail", containsString("must be after validFrom"));
        Tenant t = QuarkusTransaction.requiringNew().call(() -> Tenant.findById(NORTHSIDE));
        assertEquals(saved.plan, t.plan);
        assertEquals(saved.monthlyAllowance, t.monthlyAllowance);
        assertEquals(saved.status, t.status);
        assertEquals(saved.validUntil, t.validUntil);
    }

    @Test
    void unknownTenantIs404() {
        as("olga").get("/api/admin/tenants/no-such-hospital/subscription").then().statusCode(404)
                .contentType("application/problem+json");
        as("olga").body("{\"plan\":\"trial\"}").put("/api/admin/tenants/no-such-hospital/subscription").then()
                .statusCode(404).contentType("application/problem+json");
    }

    @Test
    void onboardingRefusesAnUnknownPlanBeforeCreatingAnything() {
        as("olga").body("{\"id\":\"plan-check\",\"name\":\"Plan check\",\"plan\":\"gold\"}")
                .post("/api/admin/tenants").then().statusCode(400).body("detail", containsString("unknown plan"));
        assertNull(QuarkusTransaction.requiringNew().call(() -> Tenant.findById("plan-check")));
    }

    @Test
    void usageThisMonthCountsTheTenantsAnalysesAndOverage() {
        TenantId northside = new TenantId(NORTHSIDE);
        Analysis billed = TenancyMatrixTest.analysis(northside, "bob");
        Analysis overage = TenancyMatrixTest.analysis(northside, "bob");
        overage.overage = true;
        Analysis lastMonth = TenancyMatrixTest.analysis(northside, "bob");
        lastMonth.receivedAt = Instant.now().minus(40, ChronoUnit.DAYS);
        long[] before = usage(NORTHSIDE);
        TenantContext.run(northside, () -> QuarkusTransaction.requiringNew().run(() -> {
            billed.persist();
            overage.persist();
            lastMonth.persist();
        }));
        long[] after = usage(NORTHSIDE);
        assertEquals(before[0] + 2, after[0]);
        as("olga").get(ADMIN_PATH).then().statusCode(200)
                .body("usedThisMonth", equalTo((int) after[0]))
                .body("overageThisMonth", equalTo((int) after[1]));
        assertEquals(before[1] + 1, after[1]);
    }

    @Test
    void tenantAdminReadsOwnSubscriptionOnly() {
        TenantId stMarys = new TenantId("st-marys");
        Analysis a = TenancyMatrixTest.analysis(stMarys, "alice");
        TenantContext.run(stMarys, () -> QuarkusTransaction.requiringNew().run(a::persist));
        Map<String, Object> operatorView = as("olga").get("/api/admin/tenants/st-marys/subscription").then()
                .statusCode(200).extract().as(Map.class);
        Map<String, Object> ownView = as("adam").get("/api/tenant/subscription").then().statusCode(200)
                .body("tenant", equalTo("st-marys")).body("usedThisMonth", greaterThanOrEqualTo(1))
                .extract().as(Map.class);
        operatorView.remove("usedThisMonth");
        operatorView.remove("overageThisMonth");
        ownView.remove("usedThisMonth");
        ownView.remove("overageThisMonth");
        assertEquals(operatorView, ownView, "the same view as the operator's");
        // read-only for the hospital
        as("adam").body("{\"plan\":\"enterprise\"}").put("/api/tenant/subscription").then().statusCode(405);
        as("adam").get("/api/admin/tenants/st-marys/subscription").then().statusCode(403);
    }

    static long[] usage(String tenant) {
        Object[] r = QuarkusTransaction.requiringNew().call(() -> (Object[]) Tenant.getEntityManager()
                .createNativeQuery("select count(*), count(*) filter (where overage) from analysis "
                        + "where tenant = :t and received_at >= date_trunc('month', now())")
                .setParameter("t", tenant).getSingleResult());
        return new long[]{((Number) r[0]).longValue(), ((Number) r[1]).longValue()};
    }

    @Test
    void onlyOperatorsManageAndOnlyTenantAdminsReadTheirOwn() {
        for (String user : List.of("adam", "nora", "rachel", "alice", "bob")) {
            as(user).get("/api/admin/plans").then().statusCode(403);
            as(user).get(ADMIN_PATH).then().statusCode(403);
            as(user).body("{\"plan\":\"enterprise\"}").put(ADMIN_PATH).then().statusCode(403);
            as(user).get("/api/admin/tenants/st-marys/subscription").then().statusCode(403);
        }
        for (String user : List.of("rachel", "alice", "bob", "olga")) {
            as(user).get("/api/tenant/subscription").then().statusCode(403)
                    .contentType("application/problem+json");
        }
        given().auth().oauth2(Tokens.device("st-marys")).get("/api/tenant/subscription").then().statusCode(403);
        given().get("/api/tenant/subscription").then().statusCode(401);
        given().get("/api/admin/plans").then().statusCode(401);
        Tenant t = QuarkusTransaction.requiringNew().call(() -> Tenant.findById(NORTHSIDE));
        assertEquals(saved.plan, t.plan, "refused changes changed nothing");
    }
}
