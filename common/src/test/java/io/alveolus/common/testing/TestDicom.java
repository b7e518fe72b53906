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
