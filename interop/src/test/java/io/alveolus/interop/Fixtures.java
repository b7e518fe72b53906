package io.alveolus.interop;

import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Makes DICOM fixtures from a real chest X-ray of the shared data set with dcmtk and gdcm (Debian packages installed by
 * stack/install-interop-deps.sh), into a fresh folder under target/. Nothing is copied into the repository.
 * Fails (never skips) when the tools or the data set are missing.
 */
final class Fixtures {

    static final String DX_FOR_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.1";
    static final String STUDY_UID = "1.2.826.0.1.3680043.10.1234.1";
    static final String SERIES_UID = "1.2.826.0.1.3680043.10.1234.1.2";
    static final String SOP_UID = "1.2.826.0.1.3680043.10.1234.1.2.3";
    static final String ACCESSION = "ACC-0042";
    static final String PATIENT_ID = "PAT-4711";
    static final String REFERRING = "Doe^Jane";

    private static final List<String> TOOLS =
            List.of("dump2dcm", "dcmodify", "dcmconv", "dcmcjpeg", "dcmcjpls", "dcmcrle", "img2dcm", "gdcmconv");

    private static Fixtures instance;

    final Path dir;
    final Path sourceJpeg;
    /** The source image as 8-bit grey values (its first channel; the data set's images are grey in RGB). */
    final int[] grey;
    final int width;
    final int height;

    private Fixtures(Path dir, Path sourceJpeg) throws IOException {
        this.dir = dir;
        this.sourceJpeg = sourceJpeg;
        BufferedImage img = ImageIO.read(sourceJpeg.toFile());
        width = img.getWidth();
        height = img.getHeight();
        grey = img.getRaster().getSamples(0, 0, width, height, 0, (int[]) null);
    }

    static synchronized Fixtures get() throws IOException {
        if (instance == null) {
            for (String tool : TOOLS) {
                if (!onPath(tool)) {
                    fail(tool + " not found on PATH: the interop tests make their DICOM fixtures with dcmtk and gdcm. "
                            + "Run stack/install-interop-deps.sh (it installs dcmtk and libgdcm-tools).");
                }
            }
            Path data = dataSet();
            Path jpeg = data.resolve("NORMAL/IM-0115-0001.jpeg");
            if (!Files.isRegularFile(jpeg)) {
                try (var s = Files.list(data.resolve("NORMAL"))) {
                    jpeg = s.filter(p -> p.toString().endsWith(".jpeg")).sorted().findFirst().orElseThrow();
                }
            }
            Path target = Path.of(System.getProperty("user.dir"), "target");
            Files.createDirectories(target);
            try (var old = Files.newDirectoryStream(target, "dicom-fixtures-*")) { // earlier runs' fixtures
                for (Path d : old) deleteTree(d);
            }
            instance = new Fixtures(Files.createTempDirectory(target, "dicom-fixtures-"), jpeg);
        }
        return instance;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Walks up from user.dir to the folder holding shared/data/cxr-kermany224. */
    static Path dataSet() {
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/data/cxr-kermany224");
            if (Files.isDirectory(candidate.resolve("NORMAL"))) return candidate;
        }
        fail("shared/data/cxr-kermany224 not found above " + System.getProperty("user.dir")
                + ": the interop tests make their DICOM fixtures from its chest X-rays");
        return null;
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) return true;
        }
        return false;
    }

    /** Runs a tool in the fixture folder; fails the test with its output when it exits non-zero. */
    void run(String... command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " timed out");
            }
            if (p.exitValue() != 0) {
                fail(String.join(" ", command) + " exited " + p.exitValue() + ": "
                        + new String(out, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            fail("cannot run " + command[0] + " (run stack/install-interop-deps.sh): " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }

    /** Standard attributes of a frontal DX chest image; callers override or add (null value removes). */
    static Map<String, String> dxAttributes() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("(0008,0016) UI", DX_FOR_PRESENTATION);
        a.put("(0008,0018) UI", SOP_UID);
        a.put("(0008,0050) SH", ACCESSION);
        a.put("(0008,0060) CS", "DX");
        a.put("(0008,0090) PN", REFERRING);
        a.put("(0010,0010) PN", "Test^Patient");
        a.put("(0010,0020) LO", PATIENT_ID);
        a.put("(0018,5101) CS", "PA");
        a.put("(0020,000d) UI", STUDY_UID);
        a.put("(0020,000e) UI", SERIES_UID);
        a.put("(0028,0002) US", "1");
        a.put("(0028,0004) CS", "MONOCHROME2");
        return a;
    }

    /**
     * Writes an uncompressed explicit VR little endian DICOM file with dump2dcm.
     *
     * @param pixels stored values, row by row (one frame, or several frames one after the other)
     * @param bitsAllocated 8 or 16
     */
    Path write(String name, Map<String, String> attributes, int[] pixels, int rows, int columns, int bitsAllocated,
            int bitsStored) throws IOException {
        Path raw = dir.resolve(name + ".raw");
        ByteBuffer buf = ByteBuffer.allocate(pixels.length * (bitsAllocated / 8)).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : pixels) {
            if (bitsAllocated == 8) buf.put((byte) v);
            else buf.putShort((short) v);
        }
        Files.write(raw, buf.array());
        Map<String, String> a = new LinkedHashMap<>(attributes);
        a.putIfAbsent("(0028,0010) US", Integer.toString(rows));
        a.putIfAbsent("(0028,0011) US", Integer.toString(columns));
        a.putIfAbsent("(0028,0100) US", Integer.toString(bitsAllocated));
        a.putIfAbsent("(0028,0101) US", Integer.toString(bitsStored));
        a.putIfAbsent("(0028,0102) US", Integer.toString(bitsStored - 1));
        a.putIfAbsent("(0028,0103) US", "0");
        List<String> lines = new ArrayList<>();
        lines.add("(0002,0010) UI =LittleEndianExplicit");
        a.entrySet().stream().filter(e -> e.getValue() != null).sorted(Map.Entry.comparingByKey())
                .forEach(e -> lines.add(e.getKey().startsWith("#raw") ? e.getValue() // verbatim dump lines
                        : e.getKey() + (e.getKey().endsWith(" US") ? " " + e.getValue() : " [" + e.getValue() + "]")));
        lines.add("(7fe0,0010) " + (bitsAllocated == 8 ? "OB" : "OW") + " =" + raw.getFileName());
        Path dump = dir.resolve(name + ".dump");
        Files.write(dump, lines);
        Path out = dir.resolve(name + ".dcm");
        run("dump2dcm", dump.getFileName().toString(), out.getFileName().toString());
        return out;
    }

    /** 8-bit MONOCHROME2 of the source image, explicit VR LE, window centre 128 / width 256 (stored value v shows as v). */
    Path windowed8(String name) throws IOException {
        Map<String, String> a = dxAttributes();
        a.put("(0028,1050) DS", "128");
        a.put("(0028,1051) DS", "256");
        return write(name, a, grey, height, width, 8, 8);
    }

    /** Runs a converter {@code tool [options] in out} and returns the output file. */
    Path convert(Path in, String outName, String tool, String... options) {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool);
        cmd.addAll(Arrays.asList(options));
        cmd.add(in.getFileName().toString());
        cmd.add(outName + ".dcm");
        run(cmd.toArray(String[]::new));
        return dir.resolve(outName + ".dcm");
    }

    /** Copies a file and applies dcmodify -m/-i/-e arguments to the copy. */
    Path modify(Path in, String outName, String... modifications) throws IOException {
        Path out = dir.resolve(outName + ".dcm");
        Files.copy(in, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<String> cmd = new ArrayList<>(List.of("dcmodify", "-nb", "-imt"));
        cmd.addAll(Arrays.asList(modifications));
        cmd.add(out.getFileName().toString());
        run(cmd.toArray(String[]::new));
        return out;
    }

    static byte[] bytes(Path p) throws IOException {
        return Files.readAllBytes(p);
    }

    static int[] pixels(BufferedImage image) {
        Raster r = image.getRaster();
        return r.getSamples(0, 0, r.getWidth(), r.getHeight(), 0, (int[]) null);
    }
}
