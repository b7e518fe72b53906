package io.alveolus.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alveolus.model.Preprocessor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** End-to-end: the evaluate command on a folder of mixed formats and on a recorded-split file, shipped model. */
class EvaluateCommandTest {

    static Path kermany;

    @BeforeAll
    static void data() {
        System.setProperty("ai.djl.offline", "true");
        kermany = Main.defaultKermany();
    }

    @Test
    void evaluatesAnyFolderWithMixedFormats(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("test");
        Files.createDirectories(data.resolve("normal"));
        Files.createDirectories(data.resolve("PNEUMONIA/sub"));
        List<String> normals = List.of("IM-0131-0001.jpeg", "IM-0141-0001.jpeg", "IM-0145-0001.jpeg");
        List<String> pneus = List.of("person1014_bacteria_2945.jpeg", "person101_virus_187.jpeg",
                "person101_virus_188.jpeg");
        Files.copy(kermany.resolve("NORMAL/" + normals.get(0)), data.resolve("normal/a.jpeg"));
        // 16-bit grey PNG, larger than the input size
        BufferedImage src = Preprocessor.decode(kermany.resolve("NORMAL/" + normals.get(1)));
        BufferedImage g16 = new BufferedImage(448, 400, BufferedImage.TYPE_USHORT_GRAY);
        float[] grey = Preprocessor.resize(Preprocessor.grey(src), src.getWidth(), src.getHeight(), 448, 400);
        for (int y = 0; y < 400; y++) {
            for (int x = 0; x < 448; x++) {
                g16.getRaster().setSample(x, y, 0, Math.round(grey[y * 448 + x] * 65535));
            }
        }
        ImageIO.write(g16, "png", data.resolve("normal/b.png").toFile());
        ImageIO.write(Preprocessor.decode(kermany.resolve("NORMAL/" + normals.get(2))), "png",
                data.resolve("normal/c.png").toFile());
        for (int i = 0; i < pneus.size(); i++) {
            Files.copy(kermany.resolve("PNEUMONIA/" + pneus.get(i)), data.resolve("PNEUMONIA/sub/p" + i + ".jpg"));
        }
        Files.writeString(data.resolve("PNEUMONIA/broken.jpeg"), "not an image");
        Files.writeString(data.resolve("PNEUMONIA/notes.txt"), "ignored");

        Path report = tmp.resolve("out/report.json");
        EvaluateCommand.run(new Args(new String[] {"--data", data.toString(), "--report", report.toString(),
                "--bootstrap", "200"}, 0, Set.of()));
        JsonNode r = new ObjectMapper().readTree(report.toFile());
        assertEquals(6, r.get("images").asInt());
        assertEquals(3, r.get("normal").asInt());
        assertEquals(3, r.get("pneumonia").asInt());
        assertEquals(1, r.get("unreadable").size());
        JsonNode c = r.get("confusion");
        assertEquals(6, c.get("tp").asInt() + c.get("fn").asInt() + c.get("tn").asInt() + c.get("fp").asInt());
        double auc = r.get("auroc").asDouble();
        assertTrue(auc >= 0 && auc <= 1);
        assertEquals(2, r.get("aurocCi95").size());
        assertTrue(r.get("ece10").asDouble() >= 0);
        assertEquals(6, r.get("predictions").size());
    }

    @Test
    void evaluatesARecordedSplitFile(@TempDir Path tmp) throws Exception {
        Path split = tmp.resolve("split.tsv");
        Files.writeString(split, "train\tNORMAL/IM-0115-0001.jpeg\tIM-0115\n"
                + "validation\tNORMAL/IM-0131-0001.jpeg\tIM-0131\n"
                + "validation\tPNEUMONIA/person101_virus_187.jpeg\tperson101\n");
        Path report = tmp.resolve("r.json");
        EvaluateCommand.run(new Args(new String[] {"--split", "validation", "--split-file", split.toString(),
                "--data", kermany.toString(), "--report", report.toString()}, 0, Set.of()));
        JsonNode r = new ObjectMapper().readTree(report.toFile());
        assertEquals(2, r.get("images").asInt());
        assertEquals("validation", r.get("split").asText());
        assertEquals(1.0, r.get("auroc").asDouble(), 1e-12);
    }
}
