package io.alveolus.training;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class DataIndexTest {

    @Test
    void patientIds() {
        assertEquals("IM-0115", DataIndex.patientOf("IM-0115-0001.jpeg"));
        assertEquals("NORMAL2-IM-0115", DataIndex.patientOf("NORMAL2-IM-0115-0001.jpeg"));
        assertEquals("person1", DataIndex.patientOf("person1_bacteria_1.jpeg"));
        assertEquals("person1", DataIndex.patientOf("person1_virus_6.jpeg"));
        assertEquals("person12", DataIndex.patientOf("person12_bacteria_47.jpeg"));
        assertEquals("file:x.png", DataIndex.patientOf("x.png"));
    }

    @Test
    void splitIsPatientDisjointStratifiedAndDeterministic() {
        List<DataIndex.Sample> s = new ArrayList<>();
        for (int p = 0; p < 100; p++) {
            for (int k = 0; k < 1 + p % 3; k++) {
                s.add(new DataIndex.Sample("PNEUMONIA/person" + p + "_bacteria_" + k + ".jpeg", 1, "person" + p));
            }
            s.add(new DataIndex.Sample("NORMAL/IM-" + p + "-0001.jpeg", 0, "IM-" + p));
        }
        DataIndex.Split a = DataIndex.split(s, 0.2, 42);
        DataIndex.Split b = DataIndex.split(s, 0.2, 42);
        assertEquals(a.sha256(), b.sha256());
        assertNotEquals(a.sha256(), DataIndex.split(s, 0.2, 43).sha256());
        Set<String> tp = new HashSet<>();
        a.train().forEach(x -> tp.add(x.patient()));
        a.validation().forEach(x -> assertFalse(tp.contains(x.patient()), "patient in both: " + x.patient()));
        assertEquals(20, a.validation().stream().filter(x -> x.label() == 0).count());
        assertEquals(20, a.validation().stream().filter(x -> x.label() == 1).map(DataIndex.Sample::patient)
                .distinct().count());
        assertEquals(s.size(), a.train().size() + a.validation().size());
        DataIndex.Split parsed = DataIndex.parse(a.toTsv());
        assertEquals(a.sha256(), parsed.sha256());
        assertEquals(a.validation(), parsed.validation());
    }

    @Test
    void dedupeKeepsFirstCopyAndDropsLabelConflicts(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("NORMAL"));
        Files.createDirectories(root.resolve("PNEUMONIA"));
        Files.write(root.resolve("NORMAL/IM-0001-0001.jpeg"), new byte[] {1, 2, 3});
        Files.write(root.resolve("NORMAL/IM-0002-0001.jpeg"), new byte[] {1, 2, 3}); // dup, same label
        Files.write(root.resolve("NORMAL/IM-0003-0001.jpeg"), new byte[] {9}); // conflict with pneumonia
        Files.write(root.resolve("PNEUMONIA/person1_virus_1.jpeg"), new byte[] {9});
        Files.write(root.resolve("PNEUMONIA/person2_virus_1.jpeg"), new byte[] {7});
        Files.write(root.resolve("PNEUMONIA/readme.txt"), new byte[] {7});
        List<DataIndex.Sample> all = DataIndex.list(root);
        assertEquals(5, all.size());
        DataIndex.Listing d = DataIndex.dedupe(root, all);
        assertEquals(3, d.duplicatesRemoved());
        assertEquals(List.of("NORMAL/IM-0001-0001.jpeg", "PNEUMONIA/person2_virus_1.jpeg"),
                d.samples().stream().map(DataIndex.Sample::rel).toList());
    }
}
