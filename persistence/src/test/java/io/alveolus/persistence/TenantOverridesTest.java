package io.alveolus.persistence;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Per-population threshold overrides belong to the model version they were set for. */
class TenantOverridesTest {

    @Test
    void anOverrideSetForOneModelIsNotAppliedToAnother() {
        Tenant t = new Tenant();
        t.setThresholdOverride("adult", 0.2, "pneumonia-v2");
        t.setThresholdOverride("paediatric", 0.8, "pneumonia-v2");
        assertEquals(0.2, t.thresholdOverrideFor("adult", "pneumonia-v2"));
        assertNull(t.thresholdOverrideFor("adult", "pneumonia-v3"), "another model's scale");
        assertNull(t.thresholdOverrideFor("paediatric", "pneumonia-v3"));
        // setting one for v3 clears what was left from v2: no v2 value can pass as a v3 one
        t.setThresholdOverride("adult", 0.25, "pneumonia-v3");
        assertEquals(0.25, t.thresholdOverrideFor("adult", "pneumonia-v3"));
        assertNull(t.thresholdOverrideFor("paediatric", "pneumonia-v3"));
        assertNull(t.thresholdOverrideFor("adult", "pneumonia-v2"));
        assertEquals("pneumonia-v3", t.thresholdOverrideModel);
        // v1's single override (no populations) is not tied to a version
        t.setThresholdOverride(null, 0.9, "pneumonia-v3");
        assertEquals(0.9, t.thresholdOverrideFor(null, "pneumonia-v1"));
    }
}
