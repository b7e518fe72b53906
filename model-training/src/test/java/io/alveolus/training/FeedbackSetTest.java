package io.alveolus.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A feedback export (results-service's zip, unpacked) as model-training reads it: labels and populations from
 * labels.csv, DICOM decoded by the worker's decoder, patients dealt into a training part and a held-out part the
 * promotion gate compares on.
 */
class FeedbackSetTest {

    /** An export layout with {@code n} adult patients of two images each (NIH films; one DICOM among them). */
    static Path export(Path dir, int n) throws Exception {
        Path nih = Main.defaultData("cxr-nih-adult512");
        Files.createDirectories(dir.resolve("images"));
        List<String> rows = new ArrayList<>();
        rows.add(String.join(",", "sample,file,patient_key,label,model_label,review,probability,threshold,"
                + "model_version,model_sha256,population,view_position"));
        List<Path> normals;
        List<Path> pneumonias;
        try (var a = Files.list(nih.resolve("NORMAL")); var b = Files.list(nih.resolve("PNEUMONIA"))) {
            normals = a.sorted().limit(n).toList();
            pneumonias = b.sorted().limit(n).toList();
        }
        int s = 0;
        for (int p = 0; p < n; p++) {
            for (Path src : List.of(normals.get(p), pneumonias.get(p))) {
                String sample = String.format("s%05d", ++s);
                String file = "images/" + sample + (s == 1 ? ".dcm" : ".jpeg");
                if (s == 1) {
                    Process pr = new ProcessBuilder("img2dcm", src.toString(), dir.resolve(file).toString(),
                            "-k", "Modality=DX", "-k", "BurnedInAnnotation=NO").redirectErrorStream(true).start();
                    String log = new String(pr.getInputStream().readAllBytes());
                    assertTrue(pr.waitFor(60, TimeUnit.SECONDS) && pr.exitValue() == 0, "img2dcm (dcmtk): " + log);
                } else {
                    Files.copy(src, dir.resolve(file));
                }
                String label = src.getParent().getFileName().toString().equals("PNEUMONIA") ? "PNEUMONIA"
                        : "NO_PNEUMONIA";
                rows.add(String.join(",", sample, file, "k" + p, label, label, "CONFIRMED", "0.5", "0.24",
                        "pneumonia-v3", "abc", "adult", "PA"));
            }
        }
        Files.write(dir.resolve("labels.csv"), rows);
        return dir;
    }

    @Test
    void patientsAreDealtOnceIntoTrainingAndHeldOutAndDicomIsReadByTheWorkersDecoder(@TempDir Path tmp)
            throws Exception {
        Path dir = export(tmp.resolve("export"), 40);
        List<Cohort.Item> all = FeedbackSet.all(dir);
        assertEquals(80, all.size());
        assertTrue(all.stream().allMatch(i -> Cohort.ADULT.equals(i.population())));
        List<Cohort.Item> train = FeedbackSet.training(dir);
        List<Cohort.Item> held = FeedbackSet.heldOut(dir);
        assertEquals(all.size(), train.size() + held.size());
        Set<String> trainPatients = new HashSet<>(train.stream().map(Cohort.Item::patient).toList());
        assertTrue(held.stream().noneMatch(i -> trainPatients.contains(i.patient())), "patient-disjoint");
        assertTrue(held.size() >= 8 && held.size() <= 44, "about 30 % of the patients: " + held.size());
        assertEquals(held, FeedbackSet.heldOut(dir), "the same deal every time");
        var img = Evaluation.decode(dir.resolve("images/s00001.dcm"));
        assertTrue(img.getWidth() >= 224 && img.getHeight() >= 224);
    }

    @Test
    void theGateComparesOnAnExportsHeldOutPatients(@TempDir Path tmp) throws Exception {
        Path dir = export(tmp.resolve("export"), 40);
        Path equal = PromotionGateTest.copyOfV3(tmp.resolve("equal"), "pneumonia-v3-copy", m -> { });
        Path report = tmp.resolve("gate.json");
        PromotionGate.Decision d = PromotionGate.run(new Args(new String[] {"--candidate", equal.toString(),
                "--feedback", dir.toString(), "--bootstrap", "200", "--report", report.toString()}, 0, Set.of()));
        assertTrue(d.accepted(), () -> "refusals: " + d.report().get("refusals"));
        JsonNode r = new ObjectMapper().readTree(report.toFile());
        JsonNode fb = r.at("/populations/feedback (adult)");
        assertEquals(FeedbackSet.heldOut(dir).size(), fb.get("images").asInt());
        assertEquals(0.0, fb.get("aurocDelta").asDouble(), 1e-12);
    }
}
