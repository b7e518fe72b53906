package io.alveolus.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DicomImageTest {

    private static Fixtures fx;
    /** 8-bit MONOCHROME2, explicit VR LE, with a window (centre 128, width 256) that maps stored value v to v. */
    private static Path base8;
    /** 12 bits stored in 16: stored = 16 g + 7, rescale 0.5 / -100, window 924 / 2041 mapping back to g exactly. */
    private static Path base16;

    @BeforeAll
    static void fixtures() throws Exception {
        fx = Fixtures.get();
        base8 = fx.windowed8("mono2-8");

        Map<String, String> b = Fixtures.dxAttributes();
        b.put("(0028,1052) DS", "-100");
        b.put("(0028,1053) DS", "0.5");
        b.put("(0028,1050) DS", "924");
        b.put("(0028,1051) DS", "2041");
        int[] stored = Arrays.stream(fx.grey).map(g -> 16 * g + 7).toArray();
        base16 = fx.write("mono2-16", b, stored, fx.height, fx.width, 16, 12);
    }

    private static int[] decodePixels(Path p) throws Exception {
        DecodedDicom d = DicomImage.decode(Fixtures.bytes(p));
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, d.image().getType());
        assertEquals(fx.width, d.image().getWidth());
        assertEquals(fx.height, d.image().getHeight());
        return Fixtures.pixels(d.image());
    }

    private static void assertClose(int[] expected, int[] actual, double maxMeanAbs, int maxAbs) {
        assertEquals(expected.length, actual.length);
        long sum = 0;
        int max = 0;
        for (int i = 0; i < expected.length; i++) {
            int d = Math.abs(expected[i] - actual[i]);
            sum += d;
            max = Math.max(max, d);
        }
        double mean = (double) sum / expected.length;
        assertTrue(mean <= maxMeanAbs && max <= maxAbs, "mean |diff| " + mean + ", max |diff| " + max);
    }

    // --- pixels: one case per bit depth / photometric / transfer syntax ----------------------------------------------

    @Test
    void explicitLittleEndian8BitIsExact() throws Exception {
        assertArrayEquals(fx.grey, decodePixels(base8));
    }

    @Test
    void implicitLittleEndianIsExact() throws Exception {
        Path p = fx.convert(base8, "mono2-8-implicit", "dcmconv", "+ti");
        assertEquals("1.2.840.10008.1.2", DicomImage.decode(Fixtures.bytes(p)).metadata().transferSyntaxUid());
        assertArrayEquals(fx.grey, decodePixels(p));
    }

    @Test
    void bigEndianIsExact() throws Exception {
        Path p8 = fx.convert(base8, "mono2-8-big", "dcmconv", "+tb");
        Path p16 = fx.convert(base16, "mono2-16-big", "dcmconv", "+tb");
        assertEquals("1.2.840.10008.1.2.2", DicomImage.decode(Fixtures.bytes(p16)).metadata().transferSyntaxUid());
        assertArrayEquals(fx.grey, decodePixels(p8));
        assertArrayEquals(fx.grey, decodePixels(p16));
    }

    @Test
    void deflatedIsExact() throws Exception {
        Path p = fx.convert(base16, "mono2-16-deflated", "dcmconv", "+td");
        assertEquals("1.2.840.10008.1.2.1.99", DicomImage.decode(Fixtures.bytes(p)).metadata().transferSyntaxUid());
        assertArrayEquals(fx.grey, decodePixels(p));
    }

    @Test
    void sixteenBitWithRescaleAndWindowIsExact() throws Exception {
        DecodedDicom d = DicomImage.decode(Fixtures.bytes(base16));
        assertEquals(12, d.metadata().bitsStored());
        assertArrayEquals(fx.grey, Fixtures.pixels(d.image()));
    }

    @Test
    void windowClipsOutsideTheWindow() throws Exception {
        // centre 128, width 129: values <= 63 black, > 191 white, linear in between
        Map<String, String> a = Fixtures.dxAttributes();
        a.put("(0028,1050) DS", "128");
        a.put("(0028,1051) DS", "129");
        int[] px = decodePixels(fx.write("mono2-8-narrow", a, fx.grey, fx.height, fx.width, 8, 8));
        for (int i = 0; i < px.length; i++) {
            int g = fx.grey[i];
            if (g <= 63) assertEquals(0, px[i]);
            else if (g > 191) assertEquals(255, px[i]);
            else assertEquals(Math.round(((g - 127.5) / 128 + 0.5) * 255), px[i], 1);
        }
    }

    @Test
    void withoutWindowUsesMinMaxOfModalityValues() throws Exception {
        Map<String, String> a = Fixtures.dxAttributes();
        a.put("(0028,1052) DS", "-1024");
        a.put("(0028,1053) DS", "2");
        int[] stored = Arrays.stream(fx.grey).map(g -> 1000 + 3 * g).toArray();
        int[] px = decodePixels(fx.write("mono2-16-nowindow", a, stored, fx.height, fx.width, 16, 16));
        int min = Arrays.stream(fx.grey).min().orElseThrow();
        int max = Arrays.stream(fx.grey).max().orElseThrow();
        int[] expected = Arrays.stream(fx.grey).map(g -> (int) Math.round((g - min) * 255.0 / (max - min))).toArray();
        assertClose(expected, px, 0.0, 0);
    }

    @Test
    void voiLutSequenceIsAppliedWhenThereIsNoWindow() throws Exception {
        // a 12-bit LUT over stored values 0..255 that inverts and rescales: 255 - g, in 12 bits
        java.nio.ByteBuffer lut = java.nio.ByteBuffer.allocate(512).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int v = 0; v < 256; v++) lut.putShort((short) Math.round((255 - v) * 4095 / 255.0));
        Files.write(fx.dir.resolve("voi-lut.raw"), lut.array());
        Map<String, String> a = Fixtures.dxAttributes();
        a.put("#raw voi lut", String.join("\n",
                "(0028,3010) SQ (Sequence with undefined length #=1)",
                "  (fffe,e000) na (Item with undefined length #=2)",
                "    (0028,3002) US 256\\0\\12",
                "    (0028,3006) OW =voi-lut.raw",
                "  (fffe,e00d) na (ItemDelimitationItem)",
                "(fffe,e0dd) na (SequenceDelimitationItem)"));
        int[] px = decodePixels(fx.write("mono2-8-voilut", a, fx.grey, fx.height, fx.width, 8, 8));
        assertArrayEquals(Arrays.stream(fx.grey).map(g -> 255 - g).toArray(), px);
    }

    @Test
    void signedSixteenBit() throws Exception {
        Map<String, String> a = Fixtures.dxAttributes();
        a.put("(0028,0103) US", "1");
        int[] stored = Arrays.stream(fx.grey).map(g -> (g - 128) * 100).toArray(); // negative values
        int[] px = decodePixels(fx.write("mono2-16-signed", a, stored, fx.height, fx.width, 16, 16));
        int min = Arrays.stream(fx.grey).min().orElseThrow();
        int max = Arrays.stream(fx.grey).max().orElseThrow();
        int[] expected = Arrays.stream(fx.grey).map(g -> (int) Math.round((g - min) * 255.0 / (max - min))).toArray();
        assertArrayEquals(expected, px);
    }

    @Test
    void monochrome1DecodesToTheSameImageAsMonochrome2() throws Exception {
        Map<String, String> a = Fixtures.dxAttributes();
        a.put("(0028,0004) CS", "MONOCHROME1");
        a.put("(0028,1050) DS", "128");
        a.put("(0028,1051) DS", "256");
        int[] inverted = Arrays.stream(fx.grey).map(g -> 255 - g).toArray();
        Path mono1 = fx.write("mono1-8", a, inverted, fx.height, fx.width, 8, 8);
        assertArrayEquals(decodePixels(base8), decodePixels(mono1));
        // without window (min-max) too, and through a lossless codec
        a.remove("(0028,1050) DS");
        a.remove("(0028,1051) DS");
        Path mono1NoWindow = fx.write("mono1-8-nowindow", a, inverted, fx.height, fx.width, 8, 8);
        Map<String, String> b = Fixtures.dxAttributes();
        Path mono2NoWindow = fx.write("mono2-8-nowindow", b, fx.grey, fx.height, fx.width, 8, 8);
        assertArrayEquals(decodePixels(mono2NoWindow), decodePixels(mono1NoWindow));
        Path mono1Lossless = fx.convert(mono1, "mono1-8-jpegll", "dcmcjpeg", "+e1");
        assertEquals("MONOCHROME1", DicomImage.decode(Fixtures.bytes(mono1Lossless)).metadata().photometric());
        assertArrayEquals(fx.grey, decodePixels(mono1Lossless));
    }

    @Test
    void jpegLosslessIsExact() throws Exception {
        Path p8 = fx.convert(base8, "mono2-8-jpegll", "dcmcjpeg", "+e1");
        Path p16 = fx.convert(base16, "mono2-16-jpegll", "dcmcjpeg", "+el");
        assertEquals("1.2.840.10008.1.2.4.70", DicomImage.decode(Fixtures.bytes(p8)).metadata().transferSyntaxUid());
        assertEquals("1.2.840.10008.1.2.4.57", DicomImage.decode(Fixtures.bytes(p16)).metadata().transferSyntaxUid());
        assertArrayEquals(fx.grey, decodePixels(p8));
        assertArrayEquals(fx.grey, decodePixels(p16));
    }

    @Test
    void jpegBaselineIsClose() throws Exception {
        Path p = fx.convert(base8, "mono2-8-jpegbl", "dcmcjpeg", "+eb");
        assertEquals("1.2.840.10008.1.2.4.50", DicomImage.decode(Fixtures.bytes(p)).metadata().transferSyntaxUid());
        assertClose(fx.grey, decodePixels(p), 2.0, 40);
    }

    @Test
    void greyJpegWrappedByImg2dcmIsClose() throws Exception {
        // a real JPEG file as an acquisition system would send it: encapsulated as is (baseline)
        BufferedImage grey = new BufferedImage(fx.width, fx.height, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSamples(0, 0, fx.width, fx.height, 0, fx.grey);
        Path jpeg = fx.dir.resolve("grey.jpg");
        assertTrue(ImageIO.write(grey, "jpeg", jpeg.toFile()));
        int[] jpegPixels = Fixtures.pixels(ImageIO.read(jpeg.toFile()));
        fx.run("img2dcm", "grey.jpg", "img2dcm-grey.dcm");
        Path dx = fx.modify(fx.dir.resolve("img2dcm-grey.dcm"), "img2dcm-grey-dx", "-i", "(0008,0060)=DX",
                "-i", "(0028,1050)=128", "-i", "(0028,1051)=256");
        assertClose(jpegPixels, decodePixels(dx), 0.5, 2);
    }

    @Test
    void jpeg2000IsExact() throws Exception {
        Path p8 = fx.convert(base8, "mono2-8-j2k", "gdcmconv", "--j2k");
        Path p16 = fx.convert(base16, "mono2-16-j2k", "gdcmconv", "--j2k");
        assertEquals("1.2.840.10008.1.2.4.90", DicomImage.decode(Fixtures.bytes(p8)).metadata().transferSyntaxUid());
        assertArrayEquals(fx.grey, decodePixels(p8));
        assertArrayEquals(fx.grey, decodePixels(p16));
    }

    @Test
    void lossyJpeg2000IsClose() throws Exception {
        Path p = fx.convert(base8, "mono2-8-j2k-lossy", "gdcmconv", "--j2k", "--lossy", "-q", "50");
        assertEquals("1.2.840.10008.1.2.4.91", DicomImage.decode(Fixtures.bytes(p)).metadata().transferSyntaxUid());
        assertClose(fx.grey, decodePixels(p), 3.0, 60);
    }

    @Test
    void rleIsExact() throws Exception {
        Path p8 = fx.convert(base8, "mono2-8-rle", "dcmcrle");
        Path p16 = fx.convert(base16, "mono2-16-rle", "dcmcrle");
        assertEquals("1.2.840.10008.1.2.5", DicomImage.decode(Fixtures.bytes(p8)).metadata().transferSyntaxUid());
        assertArrayEquals(fx.grey, decodePixels(p8));
        assertArrayEquals(fx.grey, decodePixels(p16));
    }

    @Test
    void crModalityAndApViewAreAccepted() throws Exception {
        Path p = fx.modify(base8, "cr-ap", "-i", "(0008,0060)=CR", "-i", "(0018,5101)=AP");
        DecodedDicom d = DicomImage.decode(Fixtures.bytes(p));
        assertEquals("CR", d.metadata().modality());
        assertEquals("AP", d.metadata().viewPosition());
    }

    @Test
    void concurrentDecodingGivesTheSameResult() throws Exception {
        Path lossless = fx.convert(base16, "concurrent-jpegll", "dcmcjpeg", "+el");
        Path j2k = fx.convert(base8, "concurrent-j2k", "gdcmconv", "--j2k");
        byte[][] inputs = {Fixtures.bytes(base8), Fixtures.bytes(base16), Fixtures.bytes(lossless), Fixtures.bytes(j2k)};
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.List<java.util.concurrent.Future<int[]>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 24; i++) {
                byte[] in = inputs[i % inputs.length];
                results.add(pool.submit(() -> Fixtures.pixels(DicomImage.decode(in).image())));
            }
            for (java.util.concurrent.Future<int[]> f : results) assertArrayEquals(fx.grey, f.get());
        } finally {
            pool.shutdownNow();
        }
    }

    // --- metadata ------------------------------------------------------------------------------------------------------

    @Test
    void metadataIsExtracted() throws Exception {
        DicomMetadata m = DicomImage.decode(Fixtures.bytes(base16)).metadata();
        assertEquals(Fixtures.STUDY_UID, m.studyInstanceUid());
        assertEquals(Fixtures.SERIES_UID, m.seriesInstanceUid());
        assertEquals(Fixtures.SOP_UID, m.sopInstanceUid());
        assertEquals(Fixtures.DX_FOR_PRESENTATION, m.sopClassUid());
        assertEquals(Fixtures.ACCESSION, m.accessionNumber());
        assertEquals(Fixtures.PATIENT_ID, m.patientId());
        assertEquals(Fixtures.REFERRING, m.referringPhysicianName());
        assertEquals("DX", m.modality());
        assertEquals("PA", m.viewPosition());
        assertEquals(fx.height, m.rows());
        assertEquals(fx.width, m.columns());
        assertEquals(12, m.bitsStored());
        assertEquals("MONOCHROME2", m.photometric());
        assertEquals("1.2.840.10008.1.2.1", m.transferSyntaxUid());
        assertFalse(m.toString().contains(Fixtures.PATIENT_ID), "toString must not leak the patient id");
        assertFalse(m.toString().contains("Doe"), "toString must not leak the referring physician");
    }

    // --- refusals ------------------------------------------------------------------------------------------------------

    private static DicomRejected.Code refusal(Path p) throws Exception {
        return refusal(Fixtures.bytes(p));
    }

    private static DicomRejected.Code refusal(byte[] bytes) {
        DicomRejected e = assertThrows(DicomRejected.class, () -> DicomImage.decode(bytes));
        assertNotNull(e.getMessage());
        assertFalse(e.getMessage().contains(Fixtures.PATIENT_ID), "refusal message must not leak the patient id");
        return e.code();
    }

    @Test
    void mrIsRefused() throws Exception {
        Path p = fx.modify(base8, "mr", "-i", "(0008,0060)=MR");
        assertEquals(DicomRejected.Code.UNSUPPORTED_MODALITY, refusal(p));
        assertEquals(0x0122, DicomRejected.Code.UNSUPPORTED_MODALITY.stowFailureReason());
    }

    @Test
    void missingModalityIsRefused() throws Exception {
        Path p = fx.modify(base8, "no-modality", "-e", "(0008,0060)");
        assertEquals(DicomRejected.Code.UNSUPPORTED_MODALITY, refusal(p));
    }

    @Test
    void lateralViewsAreRefused() throws Exception {
        for (String view : new String[] {"LL", "RL", "LATERAL"}) {
            Path p = fx.modify(base8, "lateral-" + view, "-i", "(0018,5101)=" + view);
            assertEquals(DicomRejected.Code.LATERAL_VIEW, refusal(p), view);
        }
    }

    @Test
    void multiFrameIsRefused() throws Exception {
        Map<String, String> a = Fixtures.dxAttributes();
        a.put("(0028,0008) IS", "2");
        int[] twoFrames = new int[fx.grey.length * 2];
        System.arraycopy(fx.grey, 0, twoFrames, 0, fx.grey.length);
        System.arraycopy(fx.grey, 0, twoFrames, fx.grey.length, fx.grey.length);
        Path p = fx.write("multiframe", a, twoFrames, fx.height, fx.width, 8, 8);
        assertEquals(DicomRejected.Code.MULTI_FRAME, refusal(p));
    }

    @Test
    void rgbIsRefused() throws Exception {
        // uncompressed RGB
        Map<String, String> a = Fixtures.dxAttributes();
        a.put("(0028,0002) US", "3");
        a.put("(0028,0004) CS", "RGB");
        a.put("(0028,0006) US", "0");
        int[] rgb = new int[fx.grey.length * 3];
        for (int i = 0; i < fx.grey.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = fx.grey[i];
        assertEquals(DicomRejected.Code.COLOUR, refusal(fx.write("rgb", a, rgb, fx.height, fx.width, 8, 8)));
        // the data set's own colour JPEG, encapsulated by img2dcm (YBR_FULL_422)
        fx.run("img2dcm", fx.sourceJpeg.toString(), "img2dcm-colour.dcm");
        Path colour = fx.modify(fx.dir.resolve("img2dcm-colour.dcm"), "img2dcm-colour-dx", "-i", "(0008,0060)=DX");
        assertEquals(DicomRejected.Code.COLOUR, refusal(colour));
    }

    @Test
    void absurdImageSizeIsRefused() throws Exception {
        Path p = fx.modify(base8, "huge", "-i", "(0028,0010)=65535", "-i", "(0028,0011)=65535");
        assertEquals(DicomRejected.Code.UNSUPPORTED_PIXEL_FORMAT, refusal(p));
    }

    @Test
    void jpegLsIsRefusedAsUnsupportedTransferSyntax() throws Exception {
        Path p = fx.convert(base8, "mono2-8-jpls", "dcmcjpls");
        assertEquals(DicomRejected.Code.UNSUPPORTED_TRANSFER_SYNTAX, refusal(p));
    }

    @Test
    void truncatedFilesAreRefusedAsMalformed() throws Exception {
        byte[] full = Fixtures.bytes(base8);
        for (Path p : new Path[] {base8, base16, fx.convert(base8, "trunc-jpegll", "dcmcjpeg", "+e1")}) {
            byte[] b = Fixtures.bytes(p);
            assertEquals(DicomRejected.Code.MALFORMED, refusal(Arrays.copyOf(b, b.length / 2)), p.toString());
            assertEquals(DicomRejected.Code.MALFORMED, refusal(Arrays.copyOf(b, b.length - 100)), p.toString());
        }
        assertEquals(DicomRejected.Code.MALFORMED, refusal(Arrays.copyOf(full, 300)));
    }

    @Test
    void nonDicomIsRefused() throws Exception {
        assertEquals(DicomRejected.Code.NOT_DICOM, refusal(new byte[0]));
        assertEquals(DicomRejected.Code.NOT_DICOM, refusal(Files.readAllBytes(fx.sourceJpeg)));
        assertEquals(DicomRejected.Code.NOT_DICOM, refusal("hello".getBytes()));
        assertThrows(DicomRejected.class, () -> DicomImage.decode(null));
    }

    @Test
    void damagedInputNeverThrowsAnythingButDicomRejected() throws Exception {
        Random random = new Random(42);
        for (Path p : new Path[] {base8, base16, fx.convert(base16, "fuzz-jpegll", "dcmcjpeg", "+el"),
                fx.convert(base8, "fuzz-rle", "dcmcrle"), fx.convert(base8, "fuzz-j2k", "gdcmconv", "--j2k")}) {
            byte[] original = Fixtures.bytes(p);
            for (int round = 0; round < 60; round++) {
                byte[] b;
                if (round % 3 == 0) {
                    b = Arrays.copyOf(original, 132 + random.nextInt(original.length - 132));
                } else {
                    b = original.clone();
                    int flips = 1 + random.nextInt(8);
                    // damage the header region mostly, where lengths and VRs live
                    for (int k = 0; k < flips; k++) {
                        int at = 132 + random.nextInt(Math.min(b.length - 132, round % 3 == 1 ? 1200 : b.length - 132));
                        b[at] = (byte) random.nextInt(256);
                    }
                }
                try {
                    DecodedDicom d = DicomImage.decode(b);
                    assertEquals(BufferedImage.TYPE_BYTE_GRAY, d.image().getType());
                } catch (DicomRejected expected) {
                    assertNotNull(expected.code());
                } catch (Throwable t) {
                    fail("round " + round + " of " + p.getFileName() + " threw " + t, t);
                }
            }
        }
    }
}
