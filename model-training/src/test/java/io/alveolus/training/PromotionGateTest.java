package io.alveolus.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.alveolus.model.ModelBundle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The promotion gate (issue 16 done-when): on the recorded gate split, with the shipped pneumonia-v3 as the active
 * version, it refuses a deliberately worse candidate and accepts an equal one, printing the comparison.
 */
class PromotionGateTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    /** pneumonia-v3's files under a new version id, the manifest changed by {@code edit}. */
    static Path copyOfV3(Path dir, String version, java.util.function.Consumer<ObjectNode> edit) throws Exception {
        ModelBundle v3 = ModelBundle.shipped("pneumonia-v3");
        ObjectNode m = (ObjectNode) JSON.readTree(v3.manifestBytes());
        m.put("version", version);
        edit.accept(m);
        Files.createDirectories(dir);
        Files.write(dir.resolve("manifest.json"), JSON.writeValueAsBytes(m));
        Files.write(dir.resolve(v3.manifest().paramsFile()), v3.params());
        return dir;
    }

    static Object[] gate(Path candidate, Path report) throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        PromotionGate.Decision d;
        try {
            d = PromotionGate.run(new Args(new String[] {"--candidate", candidate.toString(), "--active-version",
                    "pneumonia-v3", "--bootstrap", "500", "--report", report.toString()}, 0, Set.of()));
        } finally {
            System.setOut(out);
        }
        String text = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
        System.out.print(text);
        return new Object[] {d, text, JSON.readTree(report.toFile())};
    }

    @Test
    void acceptsAnEqualCandidate(@TempDir Path tmp) throws Exception {
        Path equal = copyOfV3(tmp.resolve("equal"), "pneumonia-v3-copy", m -> { });
        Object[] r = gate(equal, tmp.resolve("gate.json"));
        PromotionGate.Decision d = (PromotionGate.Decision) r[0];
        JsonNode report = (JsonNode) r[2];
        assertTrue(d.accepted(), () -> "refusals: " + d.report().get("refusals"));
        assertTrue(report.get("accepted").asBoolean());
        assertEquals("pneumonia-v3-copy", report.at("/candidate/version").asText());
        assertEquals(ModelBundle.fromDirectory(equal).contentSha256(), report.at("/candidate/sha256").asText());
        for (String population : new String[] {"adult", "paediatric"}) {
            JsonNode p = report.at("/populations/" + population);
            assertTrue(p.get("comparable").asBoolean(), population);
            assertTrue(p.get("compared").asInt() >= 60, population + " compared " + p.get("compared"));
            assertEquals(0.0, p.get("aurocDelta").asDouble(), 1e-12, population);
            assertEquals(p.get("sensitivityActive").asDouble(), p.get("sensitivityCandidate").asDouble(), 1e-12);
        }
        assertTrue(((String) r[1]).contains("Decision: ACCEPTED"));
        assertTrue(((String) r[1]).contains("ΔAUROC +0.0000"));
    }

    @Test
    void refusesADeliberatelyWorseCandidate(@TempDir Path tmp) throws Exception {
        // the same network with adults read through the paediatric head: a wiring mistake a retrain could make
        Path worse = copyOfV3(tmp.resolve("worse"), "pneumonia-v3-wrong-head",
                m -> ((ObjectNode) m.get("pneumoniaLogits")).put("adult", m.get("pneumoniaLogits").get("paediatric")
                        .asInt()));
        Object[] r = gate(worse, tmp.resolve("gate.json"));
        PromotionGate.Decision d = (PromotionGate.Decision) r[0];
        JsonNode report = (JsonNode) r[2];
        assertFalse(d.accepted());
        assertFalse(report.get("accepted").asBoolean());
        JsonNode adult = report.at("/populations/adult");
        assertFalse(adult.get("passes").asBoolean());
        assertTrue(adult.at("/aurocDeltaCi95/0").asDouble() < -PromotionGate.AUROC_MARGIN, adult.toString());
        assertTrue(adult.get("aurocCandidate").asDouble() < adult.get("aurocActive").asDouble());
        // paediatric reads are untouched by the change: that population holds
        assertTrue(report.at("/populations/paediatric/passes").asBoolean());
        String printed = (String) r[1];
        assertTrue(printed.contains("Decision: REFUSED"));
        assertTrue(printed.contains("adult: lower bound of ΔAUROC"), printed);
    }

    @Test
    void theGateSplitIsReproducibleAndNeverTheLockedTestSplit() throws Exception {
        String recorded = PromotionGate.resource(PromotionGate.GATE_SPLIT_RESOURCE);
        assertEquals(PromotionGate.deriveGateSplit(), recorded, "gate-split.tsv no longer derives from v3's split");
        Map<String, String> v3 = PromotionGate.partsByKey(PromotionGate.resource(
                "alveolus/training/pneumonia-v3/split.tsv"));
        Map<String, String> gate = PromotionGate.partsByKey(recorded);
        assertTrue(gate.size() > 400);
        gate.keySet().forEach(k -> assertEquals(Cohort.VALIDATION, v3.get(k), k));
        // training leaves the gate's patients out
        assertFalse(PromotionGate.gatePatients().isEmpty());
    }
}
