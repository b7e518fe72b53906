package io.alveolus.training;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class CohortTest {

    @Test
    void nihItemsCarryMetadataAndPopulation(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("NORMAL"));
        Files.createDirectories(root.resolve("PNEUMONIA"));
        Files.write(root.resolve("NORMAL/00000001_000.jpeg"), new byte[] {1});
        Files.write(root.resolve("PNEUMONIA/00000002_001.jpeg"), new byte[] {2});
        Files.writeString(root.resolve("metadata.csv"), "file,label,patient_id,age,sex,view,nih_finding_labels\n"
                + "NORMAL/00000001_000.jpeg,NORMAL,1,45,F,PA,No Finding\n"
                + "PNEUMONIA/00000002_001.jpeg,PNEUMONIA,2,12,M,AP,Pneumonia|Infiltration\n");
        List<Cohort.Item> items = Cohort.list(Cohort.NIH, root, new ArrayList<>());
        assertEquals(2, items.size());
        Cohort.Item adult = items.get(0);
        assertEquals("nih:1", adult.patient());
        assertEquals(45, adult.age());
        assertEquals("PA", adult.view());
        assertEquals(Cohort.ADULT, adult.population());
        assertNull(items.get(1).population(), "a 12-year-old is in neither validated population");
        Files.writeString(root.resolve("metadata.csv"), "file,label,patient_id,age,sex,view,nih_finding_labels\n");
        assertThrows(IllegalArgumentException.class, () -> Cohort.list(Cohort.NIH, root, new ArrayList<>()));
    }

    @Test
    void crossValidationFoldsDealEachTrainOrValidationPatientToExactlyOneFoldAndLeaveTestAlone() {
        List<Cohort.Item> items = new ArrayList<>();
        for (int p = 0; p < 60; p++) {
            for (int k = 0; k < 1 + p % 3; k++) { // several images per patient
                items.add(new Cohort.Item(Cohort.NIH, "x/" + p + "-" + k, p % 2, "nih:" + p, 40, "F", "PA"));
            }
        }
        Map<String, List<Cohort.Item>> split = Cohort.split(items, 0.2, 0.2, 42);
        Set<String> test = new HashSet<>(split.get(Cohort.TEST).stream().map(Cohort.Item::patient).toList());
        Set<String> seen = new HashSet<>();
        for (int fold = 0; fold < 3; fold++) {
            Map<String, List<Cohort.Item>> f = Cohort.crossValidationFold(split, 3, fold, 42);
            assertEquals(split.get(Cohort.TEST), f.get(Cohort.TEST), "the locked test part is untouched");
            Set<String> val = new HashSet<>(f.get(Cohort.VALIDATION).stream().map(Cohort.Item::patient).toList());
            Set<String> tr = new HashSet<>(f.get(Cohort.TRAIN).stream().map(Cohort.Item::patient).toList());
            assertTrue(java.util.Collections.disjoint(val, tr), "patient-disjoint");
            assertTrue(java.util.Collections.disjoint(val, test) && java.util.Collections.disjoint(tr, test));
            assertEquals(split.get(Cohort.TRAIN).size() + split.get(Cohort.VALIDATION).size(),
                    f.get(Cohort.TRAIN).size() + f.get(Cohort.VALIDATION).size());
            long pos = f.get(Cohort.VALIDATION).stream().filter(i -> i.label() == 1).map(Cohort.Item::patient)
                    .distinct().count();
            assertTrue(pos >= 5 && val.size() - pos >= 5, "stratified: both classes in every fold");
            for (String p : val) {
                assertTrue(seen.add(p), p + " validates in one fold only");
            }
            assertEquals(f, Cohort.crossValidationFold(split, 3, fold, 42), "deterministic");
        }
        assertEquals(60 - test.size(), seen.size(), "every non-test patient validates once");
        assertThrows(IllegalArgumentException.class, () -> Cohort.crossValidationFold(split, 3, 3, 42));
    }

    @Test
    void threeWaySplitIsPatientDisjointStratifiedDeterministicAndParses(@TempDir Path root) throws Exception {
        List<Cohort.Item> items = new ArrayList<>();
        for (int p = 0; p < 200; p++) {
            int label = p % 4 == 0 ? 0 : 1;
            for (int k = 0; k < 1 + p % 3; k++) {
                items.add(new Cohort.Item(Cohort.KERMANY, (label == 1 ? "PNEUMONIA/person" + p + "_virus_" + k
                        : "NORMAL/IM-" + p + "-000" + k) + ".jpeg", label, "p" + p, 3, "", "AP"));
            }
        }
        Map<String, List<Cohort.Item>> a = Cohort.split(items, 0.15, 0.15, 42);
        Map<String, List<Cohort.Item>> b = Cohort.split(items, 0.15, 0.15, 42);
        assertEquals(a, b);
        assertNotEquals(a, Cohort.split(items, 0.15, 0.15, 7));
        Set<String> seen = new HashSet<>();
        for (String part : List.of(Cohort.TRAIN, Cohort.VALIDATION, Cohort.TEST)) {
            Set<String> here = new HashSet<>();
            a.get(part).forEach(i -> here.add(i.patient()));
            for (String p : here) {
                assertTrue(seen.add(p), "patient " + p + " in two parts");
            }
        }
        assertEquals(items.size(), a.values().stream().mapToInt(List::size).sum());
        long valNormalPatients = a.get(Cohort.VALIDATION).stream().filter(i -> i.label() == 0)
                .map(Cohort.Item::patient).distinct().count();
        assertEquals(Math.round(0.15 * 50), valNormalPatients, "stratified by class");

        // the recorded TSV re-reads to the same membership against the folder
        for (Cohort.Item i : items) {
            Path f = root.resolve(i.rel());
            Files.createDirectories(f.getParent());
            Files.writeString(f, i.rel()); // distinct bytes: no duplicates
        }
        Cohort.Split s = Cohort.merge(List.of(a));
        Cohort.Split back = Cohort.parse(s.toTsv(), Map.of(Cohort.KERMANY, root));
        assertEquals(s.sha256(), back.sha256());
        assertEquals(s.part(Cohort.TEST).stream().map(Cohort.Item::rel).toList(),
                back.part(Cohort.TEST).stream().map(Cohort.Item::rel).toList());
        assertThrows(IllegalArgumentException.class, () -> Cohort.parse("test\tnih\tNORMAL/x.jpeg\tp\n",
                Map.of(Cohort.KERMANY, root)));
    }

    @Test
    void syntheticImagesAreUnitRangeAndDifferFromTheRadiograph() {
        int s = 64;
        float[] real = new float[s * s];
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                real[y * s + x] = (float) y / s; // brighter towards the bottom: orientation is visible
            }
        }
        java.util.Random r = new java.util.Random(1);
        for (Synthetic.Kind k : Synthetic.Kind.values()) {
            float[] img = Synthetic.make(k, real, s, r);
            assertEquals(s * s, img.length);
            double diff = 0;
            for (int i = 0; i < img.length; i++) {
                assertTrue(img[i] >= 0 && img[i] <= 1.0001f, k + " out of range: " + img[i]);
                diff += Math.abs(img[i] - real[i]);
            }
            assertTrue(diff / img.length > 0.05, k + " is too close to the radiograph itself");
        }
    }
}
