package io.alveolus.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.alveolus.common.imaging.ImageLimits;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The validation contract for DICOM (issue 12, item 3): the same sides as every format, bounded by decoded pixels,
 * a size budget checked from the header before anything is allocated (deflate included), the pixel data matched
 * against the header and the transfer syntax, blank images refused. Each case failed before the contract.
 */
class DicomContractTest {

    private static Fixtures fx;
    private static Path base8;
    private static Path jpegBaseline;

    @BeforeAll
    static void fixtures() throws Exception {
        fx = Fixtures.get();
        base8 = fx.windowed8("contract-8");
        jpegBaseline = fx.convert(base8, "contract-8-jpegbl", "dcmcjpeg", "+eb");
    }

    private static DicomRejected refused(byte[] b) {
        DicomRejected e = assertThrows(DicomRejected.class, () -> DicomImage.decode(b));
        DicomRejected i = assertThrows(DicomRejected.class, () -> DicomImage.inspect(b));
        assertEquals(e.code(), i.code(), "inspect (ingest) and decode (worker) refuse alike");
        assertFalse(e.getMessage().matches(".*[A-Za-z]+(Exception|Error)\\b.*"), "no class names: " + e.getMessage());
        return e;
    }

    private static void assertRefused(byte[] b, DicomRejected.Code code, String messageContains) {
        DicomRejected e = refused(b);
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(messageContains), e.getMessage());
    }

    // --- the same sides as PNG/JPEG; blank images ----------------------------------------------------------------------

    @Test
    void tinyImagesAreRefusedLikePngAndJpeg() throws Exception {
        // Issue 12: a 1x1 DICOM was analysed and came back "pneumonia 0.9999"; PNG/JPEG needed 64 px.
        Map<String, String> a = Fixtures.dxAttributes();
        assertRefused(Fixtures.bytes(fx.write("one-pixel", a, new int[]{128}, 1, 1, 8, 8)),
                DicomRejected.Code.DEGENERATE, "1x1 pixels; accepted sides are 64 to 8192 pixels");
        int[] strip = new Random(3).ints(63 * 500, 0, 256).toArray();
        assertRefused(Fixtures.bytes(fx.write("strip", a, strip, 63, 500, 8, 8)), DicomRejected.Code.DEGENERATE,
                "500x63");
        int[] small = new Random(3).ints(64 * 64, 0, 256).toArray();
        DecodedDicom ok = DicomImage.decode(Fixtures.bytes(fx.write("smallest", a, small, 64, 64, 8, 8)));
        assertEquals(64, ok.image().getWidth());
        assertEquals(422, DicomRejected.Code.DEGENERATE.httpStatus());
    }

    @Test
    void blankImagesAreRefused() throws Exception {
        // Issue 12: an all-zero 100x100 DICOM was analysed and came back "pneumonia 0.9999".
        Map<String, String> a = Fixtures.dxAttributes();
        assertRefused(Fixtures.bytes(fx.write("zero-100", a, new int[100 * 100], 100, 100, 8, 8)),
                DicomRejected.Code.DEGENERATE, "same value");
        int[] constant = new int[200 * 150];
        Arrays.fill(constant, 3000);
        assertRefused(Fixtures.bytes(fx.write("constant-16", a, constant, 150, 200, 16, 12)),
                DicomRejected.Code.DEGENERATE, "same value");
    }

    // --- pixel data against the header and the transfer syntax ------------------------------------------------------

    @Test
    void nativePixelDataMustBeExactlyRowsTimesColumnsTimesBytes() throws Exception {
        Map<String, String> a = Fixtures.dxAttributes();
        int[] extraRow = Arrays.copyOf(fx.grey, fx.grey.length + fx.width);
        a.put("(0028,0010) US", Integer.toString(fx.height));
        assertRefused(Fixtures.bytes(fx.write("extra-row", a, extraRow, fx.height + 1, fx.width, 8, 8)),
                DicomRejected.Code.MALFORMED, "is exactly " + (long) fx.width * fx.height + " bytes");
    }

    @Test
    void transferSyntaxMustMatchThePixelData() throws Exception {
        // Issue 12: a DICOM declaring JPEG Baseline but holding raw native pixels was accepted.
        byte[] raw = Fixtures.bytes(base8);
        byte[] jpeg = Fixtures.bytes(jpegBaseline);
        assertEquals(DicomStructure.JPEG_BASELINE, DicomImage.inspect(jpeg).transferSyntaxUid());
        assertRefused(withTransferSyntax(raw, DicomStructure.JPEG_BASELINE), DicomRejected.Code.MALFORMED,
                "JPEG Baseline (Process 1) but the pixel data is not encapsulated");
        assertRefused(withTransferSyntax(jpeg, DicomStructure.EXPLICIT_LE), DicomRejected.Code.MALFORMED,
                "(uncompressed) but the pixel data is encapsulated");
        assertRefused(withTransferSyntax(jpeg, DicomStructure.JPEG_2000), DicomRejected.Code.MALFORMED,
                "not a JPEG 2000 codestream");
        assertRefused(withTransferSyntax(jpeg, DicomStructure.JPEG_LOSSLESS_SV1), DicomRejected.Code.MALFORMED,
                "its JPEG stream is lossy");
        assertRefused(withTransferSyntax(jpeg, DicomStructure.RLE), DicomRejected.Code.MALFORMED, "RLE header");
        Path j2k = fx.convert(base8, "contract-8-j2k", "gdcmconv", "--j2k");
        assertRefused(withTransferSyntax(Fixtures.bytes(j2k), DicomStructure.JPEG_BASELINE),
                DicomRejected.Code.MALFORMED, "not a JPEG stream");
        // the codestream's own size is the decoded size: it must be the image's (a JPEG 2000 or JPEG header claiming
        // more than Rows x Columns would make the codec allocate past the budget)
        Path taller = fx.modify(jpegBaseline, "contract-jpeg-taller", "-i", "(0028,0010)=" + (fx.height - 1));
        assertRefused(Fixtures.bytes(taller), DicomRejected.Code.MALFORMED,
                "its JPEG stream is " + fx.width + "x" + fx.height);
        Path j2kTaller = fx.modify(j2k, "contract-j2k-taller", "-i", "(0028,0010)=" + (fx.height - 1));
        assertRefused(Fixtures.bytes(j2kTaller), DicomRejected.Code.MALFORMED,
                "its JPEG 2000 codestream is " + fx.width + "x" + fx.height);
        // 1x1 tiles: millions of tiles for the decoder to set up
        byte[] tiny = Fixtures.bytes(j2k);
        int siz = lastIndexOf(tiny, new byte[]{(byte) 0xff, 0x4f, (byte) 0xff, 0x51});
        System.arraycopy(new byte[]{0, 0, 0, 1, 0, 0, 0, 1}, 0, tiny, siz + 24, 8);
        assertRefused(tiny, DicomRejected.Code.MALFORMED, "tiles");
        // a 12-bit JPEG stream in an 8-bit image
        byte[] deep = jpeg.clone();
        deep[lastIndexOf(deep, new byte[]{(byte) 0xff, (byte) 0xc0}) + 4] = 12;
        assertRefused(deep, DicomRejected.Code.MALFORMED, "components of 12 bits");
    }

    // --- sizes: by decoded pixels, checked before allocating ------------------------------------------------------------

    @Test
    void aDeflatedBombIsRefusedFromItsHeaderWithoutAllocating() throws Exception {
        // Issue 12: a 1 MB deflated DICOM made the decoder try to allocate 1.07 GB before the pixel limit was checked.
        byte[] deflated = Fixtures.bytes(fx.convert(base8, "contract-8-deflated", "dcmconv", "+td"));
        int metaEnd = metaEnd(deflated);
        byte[] dataSet = inflate(Arrays.copyOfRange(deflated, metaEnd, deflated.length));
        int pixelTag = lastIndexOf(dataSet, new byte[]{(byte) 0xe0, 0x7f, 0x10, 0x00, 'O'});
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        bomb.write(dataSet, 0, pixelTag);
        bomb.writeBytes(new byte[]{(byte) 0xe0, 0x7f, 0x10, 0x00, 'O', 'B', 0, 0});
        bomb.writeBytes(le32(0x40000000)); // 1 GiB of pixels for a 1000-odd x 1000-odd 8-bit image
        byte[] file = concat(Arrays.copyOf(deflated, metaEnd), deflateWithZeros(bomb.toByteArray(), 1 << 20));
        assertTrue(file.length < 64 * 1024, "a small file: " + file.length);
        long before = allocated();
        assertRefused(file, DicomRejected.Code.MALFORMED, "Pixel Data holds 1073741824 bytes");
        assertTrue(allocated() - before < 64L * 1024 * 1024, "refused without allocating the pixels: "
                + (allocated() - before) + " bytes allocated");

        // a deflated data set that inflates past what a DICOM file may hold: refused as it inflates, as too large
        ByteArrayOutputStream past = new ByteArrayOutputStream();
        past.write(dataSet, 0, pixelTag);
        past.writeBytes(new byte[]{0x29, 0x00, 0x10, 0x10, 'O', 'B', 0, 0});
        past.writeBytes(le32(100 * 1024 * 1024));
        byte[] pastFile = concat(Arrays.copyOf(deflated, metaEnd), deflateWithZeros(past.toByteArray(), 100 << 20));
        before = allocated();
        DicomRejected e = refused(pastFile);
        assertEquals(DicomRejected.Code.TOO_LARGE, e.code(), e.getMessage());
        assertEquals(413, e.code().httpStatus());
        assertTrue(allocated() - before < 64L * 1024 * 1024, "refused while inflating, not after");
    }

    @Test
    void imagesOverTheDecodedBudgetAreRefusedFromTheHeader() throws Exception {
        // within the sides (8000 <= 8192) but 8000 x 8000 x 16 bits = 122 MB decoded: over the 64 MB budget
        Map<String, String> a = Fixtures.dxAttributes();
        a.put("(0028,0010) US", "8000");
        a.put("(0028,0011) US", "8000");
        byte[] header = Fixtures.bytes(fx.write("over-budget", a, new int[1000], 10, 100, 16, 12));
        assertRefused(header, DicomRejected.Code.UNSUPPORTED_PIXEL_FORMAT,
                "decodes to more than the limit of " + ImageLimits.MAX_DECODED_BYTES + " bytes");
    }

    @Test
    void theFileLimitIsThePixelBudgetPlusHeader() throws Exception {
        byte[] big = Arrays.copyOf(Fixtures.bytes(base8), (int) ImageLimits.MAX_DICOM_FILE_BYTES + 1);
        DicomRejected e = assertThrows(DicomRejected.class, () -> DicomImage.inspect(big));
        assertEquals(DicomRejected.Code.TOO_LARGE, e.code());
        assertEquals(0xA700, e.code().stowFailureReason());
        assertTrue(ImageLimits.MAX_DICOM_FILE_BYTES > 37L * 1024 * 1024, "an uncompressed 16-bit CR/DX fits");
    }

    @Test
    void inspectChecksStructureAndDecodeChecksPixels() throws Exception {
        // ingest's check does not decode: compressed data damaged after its headers passes inspect; the worker's
        // decode refuses it (and the analysis ends FAILED with the reason)
        Path lossless = fx.convert(base8, "contract-8-jpegll", "dcmcjpeg", "+e1");
        byte[] b = Fixtures.bytes(lossless);
        int sos = lastIndexOf(b, new byte[]{(byte) 0xff, (byte) 0xda});
        for (int i = sos + 40; i < b.length - 400; i++) b[i] = (byte) 0xff;
        assertNotNull(DicomImage.inspect(b));
        assertThrows(DicomRejected.class, () -> DicomImage.decode(b));
    }

    @Test
    void damagedInputNeverThrowsAnythingButDicomRejectedFromInspect() throws Exception {
        Random random = new Random(11);
        for (Path p : new Path[]{base8, jpegBaseline, fx.convert(base8, "contract-fuzz-deflated", "dcmconv", "+td"),
                fx.convert(base8, "contract-fuzz-implicit", "dcmconv", "+ti"),
                fx.convert(base8, "contract-fuzz-big", "dcmconv", "+tb")}) {
            byte[] original = Fixtures.bytes(p);
            for (int round = 0; round < 150; round++) {
                byte[] b = original.clone();
                if (round % 3 == 0) {
                    b = Arrays.copyOf(original, 132 + random.nextInt(original.length - 132));
                } else {
                    for (int k = 0, n = 1 + random.nextInt(8); k < n; k++) {
                        b[132 + random.nextInt(Math.min(b.length - 132, 1500))] = (byte) random.nextInt(256);
                    }
                }
                try {
                    DicomImage.inspect(b);
                } catch (DicomRejected expected) {
                    assertFalse(expected.getMessage().matches(".*[A-Za-z]+(Exception|Error)\\b.*"),
                            expected.getMessage());
                } catch (Throwable t) {
                    fail("round " + round + " of " + p.getFileName() + " threw " + t, t);
                }
            }
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------------------

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** End of the file meta information, from its group length (0002,0000), which dcmtk always writes. */
    private static int metaEnd(byte[] b) {
        assertEquals(0x02, b[132]);
        assertEquals('U', b[136]);
        return 132 + 12 + ByteBuffer.wrap(b, 140, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /** The same object with another Transfer Syntax UID in its file meta information (group length fixed). */
    static byte[] withTransferSyntax(byte[] b, String uid) {
        int end = metaEnd(b);
        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        int p = 144;
        while (p < end) {
            int element = (b[p + 2] & 0xff) | (b[p + 3] & 0xff) << 8;
            String vr = new String(b, p + 4, 2, StandardCharsets.US_ASCII);
            boolean longVr = vr.equals("OB") || vr.equals("UN") || vr.equals("UT");
            int header = longVr ? 12 : 8;
            int len = longVr ? ByteBuffer.wrap(b, p + 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()
                    : (b[p + 6] & 0xff) | (b[p + 7] & 0xff) << 8;
            if (element == 0x0010) {
                byte[] v = uid.getBytes(StandardCharsets.US_ASCII);
                if (v.length % 2 == 1) v = Arrays.copyOf(v, v.length + 1);
                meta.writeBytes(new byte[]{0x02, 0x00, 0x10, 0x00, 'U', 'I', (byte) v.length, 0});
                meta.writeBytes(v);
            } else {
                meta.write(b, p, header + len);
            }
            p += header + len;
        }
        byte[] m = meta.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, 140);
        out.writeBytes(le32(m.length));
        out.writeBytes(m);
        out.write(b, end, b.length - end);
        return out.toByteArray();
    }

    private static byte[] inflate(byte[] raw) throws Exception {
        Inflater inflater = new Inflater(true);
        inflater.setInput(raw);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        while (!inflater.finished()) {
            int n = inflater.inflate(buf);
            if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) break;
            out.write(buf, 0, n);
        }
        inflater.end();
        return out.toByteArray();
    }

    /** Raw deflate of {@code head} followed by {@code zeros} zero bytes, without holding the zeros in memory. */
    private static byte[] deflateWithZeros(byte[] head, int zeros) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        d.setInput(head);
        while (!d.needsInput()) out.write(buf, 0, d.deflate(buf));
        byte[] zero = new byte[1 << 20];
        for (int left = zeros; left > 0; left -= zero.length) {
            d.setInput(zero, 0, Math.min(zero.length, left));
            while (!d.needsInput()) out.write(buf, 0, d.deflate(buf));
        }
        d.finish();
        while (!d.finished()) out.write(buf, 0, d.deflate(buf));
        d.end();
        return out.toByteArray();
    }

    private static int lastIndexOf(byte[] b, byte[] n) {
        outer:
        for (int i = b.length - n.length; i >= 0; i--) {
            for (int k = 0; k < n.length; k++) if (b[i + k] != n[k]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }

    private static byte[] le32(int v) {
        return new byte[]{(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
