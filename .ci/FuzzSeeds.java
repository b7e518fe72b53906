import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Makes the seed corpus of the fuzz targets (issue 12) from two real chest X-rays of the shared data set, small on
 * purpose (the fuzzer mutates them thousands of times a second; the committed corpus stays well under 200 KB).
 * Seeds are named {@code seed-*}; inputs the fuzzer found (crash-*, timeout-*, oom-*) sit next to them and are not
 * touched here. Needs dcmtk and gdcm (stack/install-interop-deps.sh). Run from the repository root:
 *
 * <pre>java .ci/FuzzSeeds.java ../shared/data</pre>
 */
public class FuzzSeeds {
    static Path root = Path.of("").toAbsolutePath();
    static Path tmp;

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/data");
        Path kermany = data.resolve("cxr-kermany224/NORMAL/IM-0115-0001.jpeg");
        Path nih = firstJpeg(data.resolve("cxr-nih-adult512/PNEUMONIA"));
        tmp = Files.createTempDirectory("fuzz-seeds");
        BufferedImage xray = ImageIO.read(kermany.toFile());
        BufferedImage grey64 = scale(xray, 64, 64, BufferedImage.TYPE_BYTE_GRAY);

        images(kermany, nih, xray);
        List<byte[]> dicoms = dicoms(grey64);
        stow(dicoms);
        form(grey64);
        System.out.println("seeds written");
    }

    // --- ImageInspector -------------------------------------------------------------------------------------------
    static void images(Path kermany, Path nih, BufferedImage xray) throws IOException {
        Path out = dir("common", "io/alveolus/common/fuzz/ImageInspectorFuzzTestInputs/inspect");
        Files.copy(kermany, out.resolve("seed-kermany-224-baseline.jpg"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(nih, out.resolve("seed-nih-512-baseline.jpg"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        BufferedImage grey = scale(xray, 64, 64, BufferedImage.TYPE_BYTE_GRAY);
        Files.write(out.resolve("seed-grey-64.png"), png(grey));
        Files.write(out.resolve("seed-rgb-80x64.png"), png(scale(xray, 80, 64, BufferedImage.TYPE_3BYTE_BGR)));
        Files.write(out.resolve("seed-argb-64.png"), png(scale(xray, 64, 64, BufferedImage.TYPE_INT_ARGB)));
        Files.write(out.resolve("seed-grey16-64.png"), png(scale(xray, 64, 64, BufferedImage.TYPE_USHORT_GRAY)));
        Files.write(out.resolve("seed-palette-64.png"), png(palette(grey)));
        Files.write(out.resolve("seed-too-small-16.png"), png(scale(xray, 16, 16, BufferedImage.TYPE_BYTE_GRAY)));
        Files.write(out.resolve("seed-grey-64-baseline.jpg"), jpeg(grey, false));
        Files.write(out.resolve("seed-grey-64-progressive.jpg"), jpeg(grey, true));
        Files.write(out.resolve("seed-rgb-72-baseline.jpg"), jpeg(scale(xray, 72, 72, BufferedImage.TYPE_3BYTE_BGR), false));
    }

    // --- DicomImage -----------------------------------------------------------------------------------------------
    static List<byte[]> dicoms(BufferedImage grey64) throws Exception {
        Path out = dir("interop", "io/alveolus/interop/fuzz/DicomDecoderFuzzTestInputs/decode");
        int[] px = grey64.getRaster().getSamples(0, 0, 64, 64, 0, (int[]) null);
        List<byte[]> all = new ArrayList<>();
        Path base = dump2dcm("base8", List.of(), px, 8, 8, false);
        all.add(save(out, "seed-explicit-le-8bit.dcm", base));
        all.add(save(out, "seed-implicit-le-8bit.dcm", tool("dcmconv", base, "implicit", "+ti")));
        all.add(save(out, "seed-explicit-be-8bit.dcm", tool("dcmconv", base, "big", "+tb")));
        all.add(save(out, "seed-deflated-8bit.dcm", tool("dcmconv", base, "deflated", "+td")));
        all.add(save(out, "seed-jpeg-baseline.dcm", tool("dcmcjpeg", base, "jpegb", "+eb")));
        all.add(save(out, "seed-jpeg-lossless-sv1.dcm", tool("dcmcjpeg", base, "jpegsv1", "+e1")));
        all.add(save(out, "seed-jpeg-lossless.dcm", tool("dcmcjpeg", base, "jpegl", "+el")));
        all.add(save(out, "seed-rle.dcm", tool("dcmcrle", base, "rle")));
        all.add(save(out, "seed-jpeg2000-lossless.dcm", tool("gdcmconv", base, "j2k", "--j2k")));
        // 16 bits allocated, 12 stored, with Modality LUT and window, MONOCHROME1
        int[] px12 = new int[px.length];
        for (int i = 0; i < px.length; i++) px12[i] = px[i] * 16;
        all.add(save(out, "seed-16bit-12stored-window-mono1.dcm", dump2dcm("w16", List.of(
                "(0028,0004) CS [MONOCHROME1]", "(0028,1050) DS [2048]", "(0028,1051) DS [4096]",
                "(0028,1052) DS [-1024]", "(0028,1053) DS [1]", "(0028,1056) CS [SIGMOID]"), px12, 16, 12, false)));
        // signed 16-bit, no window (min-max VOI)
        int[] signed = new int[px.length];
        for (int i = 0; i < px.length; i++) signed[i] = (px[i] - 128) * 64;
        all.add(save(out, "seed-16bit-signed.dcm", dump2dcm("s16", List.of("(0028,0103) US 1"), signed, 16, 16, true)));
        // VOI LUT Sequence instead of a window
        StringBuilder lut = new StringBuilder();
        for (int i = 0; i < 256; i++) lut.append(i == 0 ? "" : "\\").append(255 - i);
        all.add(save(out, "seed-voi-lut-sequence.dcm", dump2dcm("lut", List.of(
                "(0028,3010) SQ (Sequence with undefined length #=1)",
                "  (fffe,e000) na (Item with undefined length #=2)",
                "    (0028,3002) US 256\\0\\8",
                "    (0028,3006) US " + lut,
                "  (fffe,e00d) na (ItemDelimitationItem)",
                "(fffe,e0dd) na (SequenceDelimitationItem)"), px, 8, 8, false)));
        return all;
    }

    // --- MultipartRelated (STOW-RS) -------------------------------------------------------------------------------
    /** Input format of the target: the request's Content-Type header, a line feed, then the body. */
    static void stow(List<byte[]> dicoms) throws IOException {
        Path out = dir("interop", "io/alveolus/interop/fuzz/MultipartRelatedFuzzTestInputs/parse");
        byte[] small = dicoms.get(4); // JPEG baseline, the smallest
        String ct = "multipart/related; type=\"application/dicom\"; boundary=";
        Files.write(out.resolve("seed-one-instance.bin"), cat(ct + "b0undary\n",
                part("--b0undary\r\nContent-Type: application/dicom\r\n\r\n", small), "\r\n--b0undary--\r\n"));
        Files.write(out.resolve("seed-two-parts-quoted-boundary.bin"), cat(
                "Multipart/Related; boundary=\"a b;c\"; type=application/dicom\n",
                "preamble\r\n--a b;c\r\nContent-Type: application/dicom\r\nContent-Length: 4\r\n\r\nDICM\r\n",
                "--a b;c\r\n\r\nno headers\r\n--a b;c--\r\nepilogue"));
        Files.write(out.resolve("seed-lf-only-empty-part.bin"), cat(ct + "x\n",
                "--x\nContent-Type: application/dicom\n\n\n--x\n\n--x--"));
    }

    // --- upload form (multipart/form-data) ------------------------------------------------------------------------
    /** Input format of the target: the request's Content-Type header, a line feed, then the body. */
    static void form(BufferedImage grey64) throws IOException {
        Path out = dir("ingest-service", "io/alveolus/ingest/rest/UploadFormFuzzTestInputs/upload");
        byte[] png = png(grey64);
        String ct = "multipart/form-data; boundary=";
        Files.write(out.resolve("seed-full-upload.bin"), cat(ct + "----fuzz\n",
                field("----fuzz", "studyId", "ACC123"), field("----fuzz", "patientRef", "PSEUDO-1"),
                field("----fuzz", "priority", "URGENT"), field("----fuzz", "patientAge", "42"),
                field("----fuzz", "referringPhysician", "Dr.Who"),
                part("------fuzz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.png\"\r\n"
                        + "Content-Type: image/png\r\n\r\n", png), "\r\n------fuzz--\r\n"));
        Files.write(out.resolve("seed-minimal.bin"), cat(ct + "\"q\"; charset=UTF-8\n",
                "--q\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nxyz\r\n",
                "--q\r\nContent-Disposition: form-data; name=studyId\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n\r\nS1\r\n",
                "--q\r\nContent-Disposition: form-data; name=\"patientRef\"\r\n\r\nP1\r\n--q--\r\n"));
        Files.write(out.resolve("seed-routine-no-age.bin"), cat(ct + "b\n",
                field("b", "priority", "routine"), field("b", "patientAge", ""),
                "--b\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''r%C3%B6ntgen.jpg\r\n"
                        + "Content-Transfer-Encoding: binary\r\n\r\n\u00ff\u00d8\u00ff\r\n--b--"));
    }

    // --- helpers --------------------------------------------------------------------------------------------------
    static String field(String boundary, String name, String value) {
        return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    }

    static byte[] part(String head, byte[] body) {
        return cat(head, body);
    }

    static byte[] cat(Object... pieces) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Object p : pieces) {
            b.writeBytes(p instanceof byte[] bytes ? bytes : ((String) p).getBytes(StandardCharsets.ISO_8859_1));
        }
        return b.toByteArray();
    }

    static Path dir(String module, String resourcePath) throws IOException {
        return Files.createDirectories(root.resolve(module).resolve("src/test/resources").resolve(resourcePath));
    }

    static byte[] save(Path dir, String name, Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        Files.write(dir.resolve(name), b);
        return b;
    }

    static Path firstJpeg(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jpeg")).sorted().findFirst().orElseThrow();
        }
    }

    static BufferedImage scale(BufferedImage src, int w, int h, int type) {
        BufferedImage out = new BufferedImage(w, h, type);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    static BufferedImage palette(BufferedImage grey) {
        byte[] v = new byte[16];
        for (int i = 0; i < 16; i++) v[i] = (byte) (i * 17);
        BufferedImage out = new BufferedImage(grey.getWidth(), grey.getHeight(), BufferedImage.TYPE_BYTE_BINARY,
                new IndexColorModel(4, 16, v, v, v));
        out.getGraphics().drawImage(grey, 0, 0, null);
        return out;
    }

    static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ImageIO.write(img, "png", b);
        return b.toByteArray();
    }

    static byte[] jpeg(BufferedImage img, boolean progressive) throws IOException {
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam p = w.getDefaultWriteParam();
        if (progressive) p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ImageOutputStream o = ImageIO.createImageOutputStream(b)) {
            w.setOutput(o);
            w.write(null, new IIOImage(img, null, null), p);
        }
        w.dispose();
        return b.toByteArray();
    }

    /** An uncompressed explicit VR little endian DX chest image (64x64) written by dcmtk's dump2dcm. */
    static Path dump2dcm(String name, List<String> extra, int[] px, int bitsAllocated, int bitsStored,
                         boolean signed) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(px.length * bitsAllocated / 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : px) {
            if (bitsAllocated == 8) buf.put((byte) v);
            else buf.putShort((short) v);
        }
        Files.write(tmp.resolve(name + ".raw"), buf.array());
        List<String> l = new ArrayList<>(List.of(
                "(0002,0010) UI =LittleEndianExplicit",
                "(0008,0016) UI [1.2.840.10008.5.1.4.1.1.1.1]",
                "(0008,0018) UI [1.2.826.0.1.3680043.10.1234.1.2.3]",
                "(0008,0050) SH [ACC-0042]",
                "(0008,0060) CS [DX]",
                "(0010,0020) LO [PAT-4711]",
                "(0010,1010) AS [045Y]",
                "(0018,0015) CS [CHEST]",
                "(0018,5101) CS [PA]",
                "(0020,000d) UI [1.2.826.0.1.3680043.10.1234.1]",
                "(0020,000e) UI [1.2.826.0.1.3680043.10.1234.1.2]",
                "(0028,0002) US 1",
                "(0028,0010) US 64",
                "(0028,0011) US 64",
                "(0028,0100) US " + bitsAllocated,
                "(0028,0101) US " + bitsStored,
                "(0028,0102) US " + (bitsStored - 1)));
        if (extra.stream().noneMatch(s -> s.startsWith("(0028,0004)"))) l.add("(0028,0004) CS [MONOCHROME2]");
        if (extra.stream().noneMatch(s -> s.startsWith("(0028,0103)"))) l.add("(0028,0103) US " + (signed ? 1 : 0));
        l.addAll(extra);
        l.add("(7fe0,0010) " + (bitsAllocated == 8 ? "OB" : "OW") + " =" + name + ".raw");
        Files.write(tmp.resolve(name + ".dump"), l);
        run("dump2dcm", name + ".dump", name + ".dcm");
        return tmp.resolve(name + ".dcm");
    }

    static Path tool(String tool, Path in, String outName, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(tool));
        cmd.addAll(List.of(options));
        cmd.add(in.getFileName().toString());
        cmd.add(outName + ".dcm");
        run(cmd.toArray(String[]::new));
        return tmp.resolve(outName + ".dcm");
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
