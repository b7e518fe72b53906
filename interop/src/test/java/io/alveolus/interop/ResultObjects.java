package io.alveolus.interop;

import static org.junit.jupiter.api.Assertions.fail;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test helpers for the result objects of {@code io.alveolus.interop.report}: a source radiograph made with dcmtk from
 * the shared data set, Part 10 files, and David Clunie's dciodvfy (Debian package dicom3tools, installed by
 * stack/install-interop-deps.sh) as the IOD checker. A missing dciodvfy fails the test, never skips it.
 */
final class ResultObjects {

    static final String STUDY_DATE = "20240311";
    static final String STUDY_TIME = "101500";
    /** Non-ASCII on purpose: the results are written in UTF-8 and the name must survive the trip. */
    static final String PATIENT_NAME = "Müller^Jürgen";

    private ResultObjects() {}

    /** A DX radiograph (real pixels from the shared data set) with the patient/study attributes, read by PixelMed. */
    static AttributeList fullSource(Fixtures fx) throws Exception {
        Map<String, String> a = Fixtures.dxAttributes();
        a.put("(0008,0005) CS", "ISO_IR 192");
        a.put("(0010,0010) PN", PATIENT_NAME);
        a.put("(0010,0021) LO", "HOSP-A");
        a.put("(0010,0030) DA", "19610203");
        a.put("(0010,0040) CS", "M");
        a.put("(0008,0020) DA", STUDY_DATE);
        a.put("(0008,0030) TM", STUDY_TIME);
        a.put("(0020,0010) SH", "S-77");
        a.put("(0028,1050) DS", "128");
        a.put("(0028,1051) DS", "256");
        return read(fx.write("result-source-full", a, fx.grey, fx.height, fx.width, 8, 8));
    }

    /** The plain fixture: no study date/time/id, birth date, sex nor issuer (type 2 attributes absent). */
    static AttributeList sparseSource(Fixtures fx) throws Exception {
        return read(fx.windowed8("result-source-sparse"));
    }

    static AttributeList read(Path file) throws Exception {
        AttributeList list = new AttributeList();
        list.read(file.toFile());
        return list;
    }

    /** Writes {@code dataset} as a Part 10 file (file meta information, Explicit VR Little Endian). */
    static Path writePart10(AttributeList dataset, Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.write(file, io.alveolus.interop.report.Part10.bytes(dataset));
        return file;
    }

    static Path targetDir() throws IOException {
        Path d = Path.of(System.getProperty("user.dir"), "target", "result-objects");
        Files.createDirectories(d);
        return d;
    }

    /**
     * Runs dciodvfy on the file; fails on any line starting with "Error" and prints the warnings (they are reported,
     * not fatal). dciodvfy names the IOD it checked against on a line of its own: that must be {@code expectedIod}
     * (e.g. "Comprehensive3DSR", "SCImage"), or the file was not checked as what it claims to be.
     */
    static String dciodvfy(Path file, String expectedIod) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("dciodvfy", file.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            fail("dciodvfy not found (Debian package dicom3tools; run stack/install-interop-deps.sh): " + e);
            return null;
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("dciodvfy timed out");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        // the output names attributes and their problems, not the values of patient attributes
        lines.stream().filter(l -> l.startsWith("Warning"))
                .forEach(l -> System.out.println("dciodvfy " + file.getFileName() + ": " + l));
        List<String> errors = lines.stream().filter(l -> l.startsWith("Error")).toList();
        if (!errors.isEmpty()) fail("dciodvfy found errors in " + file.getFileName() + ":\n" + String.join("\n", errors));
        if (lines.stream().noneMatch(l -> l.strip().equals(expectedIod))) {
            fail("dciodvfy did not check " + file.getFileName() + " as " + expectedIod + ":\n" + text);
        }
        return text;
    }

    static String string(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
        return com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(list, tag);
    }

    static String sopInstance(AttributeList l) {
        return string(l, TagFromName.SOPInstanceUID);
    }
}
