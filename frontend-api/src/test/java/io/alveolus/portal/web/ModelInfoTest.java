package io.alveolus.portal.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The portal's model figures name the data they were measured on, per population. */
class ModelInfoTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void v2ShowsInternalTestFiguresPerPopulation() throws Exception {
        ModelInfo m = ModelInfo.of(JSON.readTree("""
                {"version":"pneumonia-v2","threshold":0.4,
                 "metrics":{"split":"validation","auroc":0.999},
                 "intendedUse":{"summary":"Decision support","notValidated":["ages 6-17"]},
                 "trainingSources":[{"attribution":"Kermany","licence":"CC BY 4.0"},{"attribution":"NIH","licence":"none"}],
                 "populations":{
                   "paediatric":{"description":"1-5","threshold":0.3,
                     "validation":{"split":"validation","auroc":0.999},
                     "internalTest":{"split":"internal test","positives":10,"negatives":5,"auroc":0.987,
                        "aurocCi95":[0.97,0.99],"sensitivity":0.95,"specificity":0.91,"ece":0.03,"refusedByGate":2}},
                   "adult":{"description":"18+","threshold":0.5,
                     "internalTest":{"split":"internal test","auroc":0.81,"sensitivity":0.9,"specificity":0.5}}}}
                """));
        assertTrue(m.heldOutTest());
        assertEquals(2, m.populations().size());
        ModelInfo.PopulationFigures p = m.populations().get(0);
        assertEquals("paediatric", p.name());
        assertEquals("internal test", p.split(), "never the validation figures when a test was scored");
        assertEquals("0.987 (95% CI 0.970 to 0.990)", p.auroc());
        assertEquals("91.0%", p.specificity());
        assertEquals("0.300", p.threshold());
        assertEquals("2", p.refused());
        assertEquals("0.810", m.populations().get(1).auroc());
        assertEquals(java.util.List.of("ages 6-17"), m.notValidated());
        assertEquals(2, m.attributions().size());
    }

    @Test
    void v1IsLabelledAsValidationFigures() throws Exception {
        ModelInfo m = ModelInfo.of(JSON.readTree("""
                {"version":"pneumonia-v1","threshold":0.93,
                 "metrics":{"split":"validation (patient-disjoint)","auroc":0.998,"specificity":0.9925},
                 "trainingData":{"attribution":"Kermany","licence":"CC BY 4.0"}}
                """));
        assertFalse(m.heldOutTest());
        assertEquals("validation (patient-disjoint)", m.populations().get(0).split());
        assertEquals("99.3%", m.populations().get(0).specificity());
    }
}
