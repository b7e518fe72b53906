package io.alveolus.results.tenant;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.tenancy.CallerResolver;
import io.alveolus.common.tenancy.Roles;
import io.alveolus.model.ModelManifest;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.audit.Audited;
import io.alveolus.results.model.ModelCard;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A hospital's own settings, for its tenant administrators. Decision threshold overrides are per population when
 * the shipped model has populations (pneumonia-v2: paediatric, adult), each inside its population's validated
 * range; a model without populations (v1) has the single override and range it always had.
 */
@Path("/api/tenant/settings")
@RolesAllowed(Roles.TENANT_ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class TenantSettingsResource {
    static final String NOT_VALIDATED = "urn:alveolus:problem:threshold-not-validated";
    static final String UNKNOWN_POPULATION = "urn:alveolus:problem:unknown-population";

    @Inject
    CallerResolver callers;
    /** The tenant's active version: its overrides are that version's (another version's heads differ). */
    @Inject
    ModelCard card;
    @Inject
    io.quarkus.security.identity.SecurityIdentity identity;

    private ModelManifest manifest() {
        return card.forCaller(CallerResolver.of(identity));
    }

    /**
     * {@code thresholdOverride}, {@code modelThreshold} and {@code validatedThresholdRange} are those of the
     * model's {@code defaultPopulation} (the one used when the patient's age is unknown), or of the model itself
     * when it has no populations. {@code populations}: every population's operating point and validated range;
     * {@code thresholdOverrides}: this tenant's override per population (null: the population's own threshold).
     */
    public record Settings(String tenant, String name, String status, int retentionDays, Double thresholdOverride,
                           double modelThreshold, double[] validatedThresholdRange, String modelVersion,
                           String defaultPopulation, Map<String, PopulationSettings> populations,
                           Map<String, Double> thresholdOverrides) {
    }

    public record PopulationSettings(String description, int minAgeYears, int maxAgeYears, double modelThreshold,
                                     double[] validatedThresholdRange) {
    }

    /**
     * Every field optional. {@code thresholdOverrides}: population name to a threshold inside that population's
     * validated range, or to null to clear it. {@code thresholdOverride} / {@code clearThresholdOverride}: the
     * default population's (or, for a model without populations, the single) override, as before.
     */
    public record Change(Integer retentionDays, Double thresholdOverride, Boolean clearThresholdOverride,
                         Map<String, Double> thresholdOverrides) {
    }

    @GET
    @Transactional
    @Operation(summary = "This tenant's settings and its active model's validated threshold range per population")
    public Settings get() {
        return view(tenant(), manifest());
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Transactional
    @Audited(value = "tenant.settings.change", resource = "tenant")
    @Operation(summary = "Change retention or the decision thresholds (only within each population's validated range)")
    public Settings change(Change change) {
        Tenant t = tenant();
        if (change == null) {
            throw ProblemException.badRequest("a JSON body is required");
        }
        if (change.retentionDays() != null
                && (change.retentionDays() < 1 || change.retentionDays() > 36500)) {
            throw ProblemException.badRequest("retentionDays must be between 1 and 36500");
        }
        ModelManifest active = manifest();
        Map<String, Double> overrides = thresholdChanges(active, change);
        if (change.retentionDays() != null) {
            t.retentionDays = change.retentionDays();
        }
        // key null: the single override of a model without populations
        String version = active == null ? null : active.version();
        overrides.forEach((population, value) -> t.setThresholdOverride(population, value, version));
        return view(t, active);
    }

    /**
     * The threshold overrides a change sets (value null: cleared), by population (key null: the single override
     * of a model without populations), after checking each against the manifest; nothing is changed here.
     *
     * @throws ProblemException 422 for a threshold outside its validated range or an unknown population, 400 for
     *                          a change that names the same override twice
     */
    public static Map<String, Double> thresholdChanges(ModelManifest m, Change change) {
        Map<String, Double> out = new LinkedHashMap<>();
        boolean perPopulation = m != null && m.populations() != null && !m.populations().isEmpty();
        boolean single = Boolean.TRUE.equals(change.clearThresholdOverride()) || change.thresholdOverride() != null;
        if (single) {
            String population = perPopulation ? m.defaultPopulation() : null;
            if (perPopulation && m.population(population) == null) {
                throw new ProblemException(422, UNKNOWN_POPULATION, "Unknown population",
                        "the model has no default population: set thresholdOverrides per population "
                                + m.populations().keySet());
            }
            double[] range = m == null ? null
                    : perPopulation ? m.population(population).validatedThresholdRange() : m.validatedThresholdRange();
            out.put(population, Boolean.TRUE.equals(change.clearThresholdOverride()) ? null
                    : validated(change.thresholdOverride(), range, population));
        }
        if (change.thresholdOverrides() != null) {
            for (var e : change.thresholdOverrides().entrySet()) {
                String name = e.getKey();
                ModelManifest.Population p = m == null ? null : m.population(name);
                if (p == null || !Tenant.OVERRIDE_POPULATIONS.contains(name)) {
                    throw new ProblemException(422, UNKNOWN_POPULATION, "Unknown population",
                            "no population '" + name + "' to set a threshold for; "
                                    + (perPopulation ? "the model has " + m.populations().keySet()
                                    : "this model has no populations: use thresholdOverride"));
                }
                if (out.containsKey(name)) {
                    throw ProblemException.badRequest("thresholdOverride(s) name the " + name
                            + " override twice: give it once");
                }
                out.put(name, e.getValue() == null ? null : validated(e.getValue(), p.validatedThresholdRange(), name));
            }
        }
        return out;
    }

    private static double validated(double v, double[] range, String population) {
        if (range == null || range.length != 2 || !(v >= range[0] && v <= range[1])) {
            throw new ProblemException(422, NOT_VALIDATED, "Threshold not validated",
                    "the threshold must lie in " + (population == null ? "the model's" : "the " + population
                            + " population's") + " validated range "
                            + (range == null ? "(none published)" : "[" + range[0] + ", " + range[1] + "]"));
        }
        return v;
    }

    private Tenant tenant() {
        Tenant t = Tenant.findById(callers.tenantCaller().tenant().value());
        if (t == null) {
            throw ProblemException.notFound("tenant");
        }
        return t;
    }

    public static Settings view(Tenant t, ModelManifest m) {
        Map<String, PopulationSettings> pops = new LinkedHashMap<>();
        Map<String, Double> overrides = new LinkedHashMap<>();
        boolean perPopulation = m != null && m.populations() != null && !m.populations().isEmpty();
        if (perPopulation) {
            m.populations().forEach((name, p) -> {
                pops.put(name, new PopulationSettings(p.description(), p.minAgeYears(), p.maxAgeYears(),
                        p.threshold(), p.validatedThresholdRange()));
                overrides.put(name, t.thresholdOverrideFor(name, m.version()));
            });
        }
        String defaultPopulation = perPopulation ? m.defaultPopulation() : null;
        Double single = !perPopulation ? t.thresholdOverrideFor(null)
                : defaultPopulation == null ? null : t.thresholdOverrideFor(defaultPopulation, m.version());
        return new Settings(t.id, t.name, t.status, t.retentionDays, single,
                m == null ? Double.NaN : m.threshold(), m == null ? null : m.validatedThresholdRange(),
                m == null ? null : m.version(), defaultPopulation, pops, overrides);
    }
}
