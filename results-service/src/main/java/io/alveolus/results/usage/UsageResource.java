package io.alveolus.results.usage;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.persistence.audit.Audited;
import io.alveolus.results.usage.UsageLedger.DailyUsage;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Usage per billing period (a calendar month, UTC) from the ledger: all tenants for the finance system
 * (platform operators), a hospital's own for its administrators. JSON by default, CSV with format=csv.
 */
@Path("/api")
public class UsageResource {
    @Inject
    UsageLedger ledger;
    @Inject
    CallerResolver callers;

    /** {@code notApplicable}: analyses the model may not read, counted here and in none of the billed figures. */
    public record Totals(long studies, long overageStudies, long inferenceMs, long storageBytes, long notApplicable) {
        static Totals of(DailyUsage d) {
            return new Totals(d.studies(), d.overageStudies(), d.inferenceMs(), d.storageBytes(), d.notApplicable());
        }

        Totals plus(Totals o) {
            return new Totals(studies + o.studies, overageStudies + o.overageStudies, inferenceMs + o.inferenceMs,
                    storageBytes + o.storageBytes, notApplicable + o.notApplicable);
        }
    }

    public record Export(String period, Map<String, Totals> totals, List<DailyUsage> days) {
    }

    @GET
    @Path("/admin/usage")
    @RolesAllowed(Roles.PLATFORM_OPERATOR)
    @Audited(value = "usage.export", resource = "usage")
    @Operation(summary = "Every tenant's usage in a billing period (period=YYYY-MM, default this month; format=json|csv)")
    public Response all(@QueryParam("period") String period, @QueryParam("format") String format) {
        callers.caller();
        return export(parse(period), null, format);
    }

    @GET
    @Path("/tenant/usage")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Audited(value = "usage.read", resource = "usage")
    @Operation(summary = "This tenant's usage in a billing period (period=YYYY-MM, default this month; format=json|csv)")
    public Response own(@QueryParam("period") String period, @QueryParam("format") String format) {
        return export(parse(period), callers.tenantCaller().tenant().value(), format);
    }

    private Response export(YearMonth month, String tenant, String format) {
        List<DailyUsage> days = ledger.period(month, tenant);
        String name = "alveolus-usage-" + (tenant == null ? "all" : tenant) + "-" + month;
        if ("csv".equals(format)) {
            return Response.ok(UsageLedger.csv(days), "text/csv")
                    .header("Content-Disposition", "attachment; filename=\"" + name + ".csv\"").build();
        }
        if (format != null && !"json".equals(format)) {
            throw ProblemException.badRequest("format must be json or csv");
        }
        Map<String, Totals> totals = new TreeMap<>();
        for (DailyUsage d : days) {
            totals.merge(d.tenant(), Totals.of(d), Totals::plus);
        }
        return Response.ok(new Export(month.toString(), totals, days), MediaType.APPLICATION_JSON).build();
    }

    private static YearMonth parse(String period) {
        if (period == null || period.isBlank()) {
            return YearMonth.now(ZoneOffset.UTC);
        }
        try {
            return YearMonth.parse(period);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("period must be a month as YYYY-MM");
        }
    }
}
