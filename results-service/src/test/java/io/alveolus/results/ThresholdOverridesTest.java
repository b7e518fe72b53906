package io.alveolus.results;

import io.alveolus.common.problem.ProblemException;
import io.alveolus.model.ModelManifest;
import io.alveolus.persistence.Tenant;
import io.alveolus.results.tenant.TenantSettingsResource;
import io.alveolus.results.tenant.TenantSettingsResource.Change;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The override rules against both shipped manifests: v2's per-population ranges, and v1 (no populations), which
 * keeps its single override and range. The API test covers v2 end to end; this one is where v1 is checked.
 */
class ThresholdOverridesTest {
    static ModelManifest shipped(String version) throws IOException {
        try (InputStream in = Thread.currentThread().getContextClassLoader()
                .getResourceAsStream(ModelManifest.shippedResource(version) + "manifest.json")) {
            return ModelManifest.read(in);
        }
    }

    static Map<String, Double> overrides(String population, Double value) {
        Map<String, Double> m = new HashMap<>();
        m.put(population, value);
        return m;
    }

    static int status(ModelManifest m, Change c) {
        return assertThrows(ProblemException.class, () -> TenantSettingsResource.thresholdChanges(m, c)).status();
    }

    @Test
    void aModelWithoutPopulationsKeepsItsSingleOverrideAndRange() throws IOException {
        ModelManifest v1 = shipped("pneumonia-v1");
        assertNull(v1.populations());
        double[] range = v1.validatedThresholdRange();
        assertEquals(overrides(null, range[0]),
                TenantSettingsResource.thresholdChanges(v1, new Change(null, range[0], null, null)));
        assertEquals(overrides(null, null),
                TenantSettingsResource.thresholdChanges(v1, new Change(null, null, true, null)));
        assertEquals(422, status(v1, new Change(null, range[1] + 0.001, null, null)));
        // v1 has no populations to name
        var refused = assertThrows(ProblemException.class, () -> TenantSettingsResource.thresholdChanges(v1,
                new Change(null, null, null, overrides("adult", range[0]))));
        assertEquals(422, refused.status());
        assertEquals("urn:alveolus:problem:unknown-population", refused.type());

        Tenant t = new Tenant();
        t.id = "v1-hospital";
        t.thresholdOverride = range[0];
        t.thresholdOverrideAdult = 0.2; // a v2 override is no v1 one
        var view = TenantSettingsResource.view(t, v1);
        assertEquals(range[0], view.thresholdOverride());
        assertNull(view.defaultPopulation());
        assertTrue(view.populations().isEmpty() && view.thresholdOverrides().isEmpty());
    }

    @Test
    void aModelWithPopulationsHasOneOverridePerPopulationAndNoneCarriedOverFromV1() throws IOException {
        ModelManifest v2 = shipped("pneumonia-v2");
        double[] kids = v2.population("paediatric").validatedThresholdRange();
        double[] adults = v2.population("adult").validatedThresholdRange();
        Map<String, Double> both = new HashMap<>(overrides("paediatric", kids[1]));
        both.put("adult", adults[0]);
        assertEquals(both, TenantSettingsResource.thresholdChanges(v2, new Change(null, null, null, both)));
        // the single field is the default population's
        assertEquals(overrides("adult", adults[0]),
                TenantSettingsResource.thresholdChanges(v2, new Change(null, adults[0], null, null)));
        assertEquals(422, status(v2, new Change(null, kids[1], null, null)), "a paediatric value for adults");
        assertEquals(422, status(v2, new Change(null, null, null, overrides("paediatric", Double.NaN))));

        Tenant t = new Tenant();
        t.id = "upgraded-hospital";
        t.thresholdOverride = 0.93; // set for v1: not valid on v2's scales, so not applied to any population
        var view = TenantSettingsResource.view(t, v2);
        assertNull(view.thresholdOverride());
        assertEquals(java.util.List.of("paediatric", "adult"), java.util.List.copyOf(view.thresholdOverrides().keySet()));
        assertTrue(view.thresholdOverrides().values().stream().allMatch(java.util.Objects::isNull));
        assertNull(t.thresholdOverrideFor("adult"));
        assertNull(t.thresholdOverrideFor("paediatric"));
        assertEquals(0.93, t.thresholdOverrideFor(null), "a rollback to v1 still finds its override");
    }
}
