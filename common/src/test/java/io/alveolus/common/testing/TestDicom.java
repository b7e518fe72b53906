package io.alveolus.common.testing;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * DICOM instances made from a real X-ray with Debian's dcmtk ({@code img2dcm}, {@code dcmodify}; installed by
 * stack/install-interop-deps.sh), for tests that send DICOM the way a modality would.
 */
public final class TestDicom {
    private TestDicom() {
    }

    /**
     * A UID of exactly {@code length} characters, unique to the call: "2.25." then random digits (no leading
     * zero). Above 64 characters it breaks DICOM's rule, as tests of refusals need.
     */
    public static String uid(int length) {
        var rnd = new java.util.Random();
        StringBuilder b = new StringBuilder("2.25.").append(1 + rnd.nextInt(9));
        while (b.length() < length) {
            b.append(rnd.nextInt(10));
        }
        return b.toString();
    }

    /** The X-ray as a single-channel grey JPEG (what a DX instance can hold), the same bytes on every call. */
    public static byte[] greyJpeg(Path xray) {
        try {
            BufferedImage src = ImageIO.read(xray.toFile());
            BufferedImage grey = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
            grey.getGraphics().drawImage(src, 0, 0, null);
            ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
            ImageIO.write(grey, "jpeg", jpeg);
            return jpeg.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A grey JPEG wrapped by img2dcm as a DICOM instance (JPEG baseline, fresh UIDs), then each attribute set with
     * dcmodify: {@code "(0008,0060)=DX"}, {@code "(0018,5101)=PA"}... dcmodify writes values as given, also those
     * that break DICOM's rules (a 65-character UID), which is what tests of refusals need.
     */
    public static byte[] wrap(byte[] greyJpeg, String... attributes) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("alveolus-test-dicom");
            Files.write(dir.resolve("x.jpg"), greyJpeg);
            run(dir, "img2dcm", "x.jpg", "x.dcm");
            List<String> modify = new ArrayList<>(List.of("dcmodify", "-nb"));
            for (String a : attributes) {
                modify.add("-i");
                modify.add(a);
            }
            modify.add("x.dcm");
            run(dir, modify.toArray(String[]::new));
            return Files.readAllBytes(dir.resolve("x.dcm"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(dir);
        }
    }

    /**
     * A DX chest instance of the X-ray with the given SOP Instance UID (dcmodify copies it into the file meta
     * information), ViewPosition and accession number.
     */
    public static byte[] radiograph(Path xray, String sopInstanceUid, String viewPosition, String accession) {
        return wrap(greyJpeg(xray), "(0008,0060)=DX", "(0018,0015)=CHEST", "(0018,5101)=" + viewPosition,
                "(0008,0018)=" + sopInstanceUid, "(0008,0050)=" + accession,
                "(0010,0020)=MRN-" + accession);
    }

    /** Explicit VR Little Endian, the transfer syntax {@link #uncompressed} writes unless told otherwise. */
    public static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    /** JPEG Baseline: what a file declares when it claims compressed pixels. */
    public static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";

    /**
     * A frontal DX chest instance written here byte by byte (no dcmtk): file meta information, then an explicit VR
     * little endian data set whose Pixel Data is {@code pixelData} as given, so that tests can make the header and
     * the pixels disagree. Rows/Columns/Bits Allocated are written as given; Bits Stored is 12 for 16-bit images.
     */
    public static byte[] uncompressed(String transferSyntax, int rows, int columns, int bitsAllocated, byte[] pixelData,
                                      String sopInstanceUid, String accession) {
        String sopClass = "1.2.840.10008.5.1.4.1.1.1.1";
        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        element(meta, 0x0002, 0x0001, "OB", new byte[]{0, 1});
        element(meta, 0x0002, 0x0002, "UI", uidValue(sopClass));
        element(meta, 0x0002, 0x0003, "UI", uidValue(sopInstanceUid));
        element(meta, 0x0002, 0x0010, "UI", uidValue(transferSyntax));
        element(meta, 0x0002, 0x0012, "UI", uidValue("1.2.826.0.1.3680043.10.1234.99"));
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        element(data, 0x0008, 0x0016, "UI", uidValue(sopClass));
        element(data, 0x0008, 0x0018, "UI", uidValue(sopInstanceUid));
        element(data, 0x0008, 0x0050, "SH", text(accession));
        element(data, 0x0008, 0x0060, "CS", text("DX"));
        element(data, 0x0010, 0x0020, "LO", text("MRN-" + accession));
        element(data, 0x0018, 0x0015, "CS", text("CHEST"));
        element(data, 0x0018, 0x5101, "CS", text("PA"));
        element(data, 0x0020, 0x000d, "UI", uidValue(uid(40)));
        element(data, 0x0020, 0x000e, "UI", uidValue(uid(40)));
        element(data, 0x0028, 0x0002, "US", us(1));
        element(data, 0x0028, 0x0004, "CS", text("MONOCHROME2"));
        element(data, 0x0028, 0x0010, "US", us(rows));
        element(data, 0x0028, 0x0011, "US", us(columns));
        element(data, 0x0028, 0x0100, "US", us(bitsAllocated));
        int stored = bitsAllocated == 16 ? 12 : bitsAllocated;
        element(data, 0x0028, 0x0101, "US", us(stored));
        element(data, 0x0028, 0x0102, "US", us(stored - 1));
        element(data, 0x0028, 0x0103, "US", us(0));
        element(data, 0x7fe0, 0x0010, bitsAllocated == 16 ? "OW" : "OB", pixelData);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes());
        byte[] m = meta.toByteArray();
        ByteArrayOutputStream groupLength = new ByteArrayOutputStream();
        element(groupLength, 0x0002, 0x0000, "UL", new byte[]{(byte) m.length, (byte) (m.length >> 8),
                (byte) (m.length >> 16), (byte) (m.length >> 24)});
        out.writeBytes(groupLength.toByteArray());
        out.writeBytes(m);
        out.writeBytes(data.toByteArray());
        return out.toByteArray();
    }

    /** {@link #uncompressed} with pixels from {@code pixel(x, y)} (stored values), exactly the size the header says. */
    public static byte[] uncompressed(int rows, int columns, int bitsAllocated,
                                      java.util.function.IntBinaryOperator pixel, String sopInstanceUid,
                                      String accession) {
        int bytes = bitsAllocated / 8;
        byte[] px = new byte[rows * columns * bytes + ((rows * columns * bytes) & 1)];
        for (int y = 0, i = 0; y < rows; y++) {
            for (int x = 0; x < columns; x++) {
                int v = pixel.applyAsInt(x, y);
                px[i++] = (byte) v;
                if (bytes == 2) px[i++] = (byte) (v >> 8);
            }
        }
        return uncompressed(EXPLICIT_LE, rows, columns, bitsAllocated, px, sopInstanceUid, accession);
    }

    private static void element(ByteArrayOutputStream o, int group, int element, String vr, byte[] value) {
        o.write(group);
        o.write(group >> 8);
        o.write(element);
        o.write(element >> 8);
        o.writeBytes(vr.getBytes());
        if (java.util.Set.of("OB", "OW", "SQ", "UN", "UT").contains(vr)) {
            o.write(0);
            o.write(0);
            int n = value.length;
            o.writeBytes(new byte[]{(byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)});
        } else {
            o.write(value.length);
            o.write(value.length >> 8);
        }
        o.writeBytes(value);
    }

    private static byte[] uidValue(String uid) {
        byte[] b = uid.getBytes();
        return b.length % 2 == 0 ? b : java.util.Arrays.copyOf(b, b.length + 1); // padded with NUL
    }

    private static byte[] text(String s) {
        return (s.length() % 2 == 0 ? s : s + " ").getBytes();
    }

    private static byte[] us(int v) {
        return new byte[]{(byte) v, (byte) (v >> 8)};
    }

    /** A STOW-RS body: each instance a part of {@code multipart/related; type="application/dicom"}. */
    public static byte[] multipartRelated(String boundary, List<byte[]> instances) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : instances) {
            out.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes());
            out.writeBytes(p);
            out.writeBytes("\r\n".getBytes());
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes());
        return out.toByteArray();
    }

    private static void run(Path dir, String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed (run stack/install-interop-deps.sh?): "
                        + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
