package io.alveolus.common.imaging;

import io.alveolus.common.testing.TestImages;
import org.junit.jupiter.api.Test;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ImageInspectorTest {

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    static BufferedImage noisy(int w, int h, int type) {
        var img = new BufferedImage(w, h, type);
        var rnd = new Random(1);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rnd.nextInt());
            }
        }
        return img;
    }

    static byte[] progressiveJpeg(BufferedImage img) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new IIOImage(img, null, null), p);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    static ImageInspector.Rejected refused(byte[] b) {
        return assertThrows(ImageInspector.Rejected.class, () -> ImageInspector.inspect(b));
    }

    static void assertRefused(byte[] b, int status, String reasonContains) {
        var e = refused(b);
        assertEquals(status, e.status(), e.getMessage());
        assertTrue(e.getMessage().contains(reasonContains), e.getMessage());
        assertFalse(e.getMessage().matches(".*[A-Z][a-z]+(Exception|Error).*"), "no class names: " + e.getMessage());
    }

    // --- accepted ----------------------------------------------------------------------------------------------------

    @Test
    void acceptsPngAndJpegByContent() throws Exception {
        var grey = new BufferedImage(256, 200, BufferedImage.TYPE_BYTE_GRAY);
        var png = ImageInspector.inspect(encode(grey, "png"));
        assertEquals(ImageFormat.PNG, png.format());
        assertEquals(256, png.width());
        assertEquals(200, png.height());
        var jpeg = ImageInspector.inspect(encode(grey, "jpeg"));
        assertEquals(ImageFormat.JPEG, jpeg.format());
        assertEquals(256, jpeg.width());
        assertEquals(200, jpeg.height());
        for (int type : new int[]{BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_BYTE_INDEXED,
                BufferedImage.TYPE_USHORT_GRAY, BufferedImage.TYPE_BYTE_BINARY}) {
            assertEquals(ImageFormat.PNG, ImageInspector.inspect(encode(noisy(300, 120, type), "png")).format());
        }
        assertEquals(300, ImageInspector.inspect(encode(noisy(300, 120, BufferedImage.TYPE_INT_RGB), "jpeg")).width());
        assertEquals(120, ImageInspector.inspect(progressiveJpeg(noisy(300, 120, BufferedImage.TYPE_INT_RGB))).height());
    }

    @Test
    void acceptsTheSharedXrays() {
        // the real films of the data set (baseline JPEG, some with EXIF/JFIF segments) all pass the structure walk
        for (Path p : Stream.concat(TestImages.files("NORMAL", 150).stream(), TestImages.files("PNEUMONIA", 150).stream())
                .toList()) {
            try {
                var i = ImageInspector.inspect(TestImages.bytes(p));
                assertEquals(ImageFormat.JPEG, i.format());
            } catch (ImageInspector.Rejected r) {
                fail(p.getFileName() + ": " + r.getMessage());
            }
        }
    }

    @Test
    void doesNotDecodeThePixels() throws Exception {
        // Structure only: damaged compressed data with right CRCs passes ingest; the worker's decode fails it with
        // the reason (PipelineIT.undecodableImageEndsFailedAndDeadLettered). That keeps ingest at a few CPU ms.
        byte[] png = encode(noisy(200, 200, BufferedImage.TYPE_INT_RGB), "png");
        int idat = indexOf(png, "IDAT");
        int len = (int) u32(png, idat - 4);
        for (int i = idat + 4 + 10; i < idat + 4 + len; i++) png[i] = (byte) 0x5a;
        fixCrc(png, idat - 4);
        assertEquals(ImageFormat.PNG, ImageInspector.inspect(png).format());
    }

    @Test
    void constantImagesAreDetectedAfterDecoding() {
        var blank = new BufferedImage(300, 200, BufferedImage.TYPE_BYTE_GRAY);
        assertTrue(ImageLimits.isConstant(blank));
        var grey = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 200; y++) for (int x = 0; x < 300; x++) grey.setRGB(x, y, 0x808080);
        assertTrue(ImageLimits.isConstant(grey));
        grey.setRGB(299, 199, 0x808081);
        assertFalse(ImageLimits.isConstant(grey), "one pixel differs in one band");
        assertFalse(ImageLimits.isConstant(noisy(64, 64, BufferedImage.TYPE_BYTE_GRAY)));
    }

    // --- PNG structure -----------------------------------------------------------------------------------------------

    @Test
    void refusesNonImagesAsUnsupported() {
        var e = refused("%PDF-1.7 hello".getBytes());
        assertTrue(e.unsupported());
        assertEquals(415, e.status());
        assertEquals(400, refused(new byte[0]).status());
    }

    @Test
    void refusesPngWithoutIendWithBadCrcOrWithDataAfterIend() throws Exception {
        byte[] png = encode(noisy(100, 100, BufferedImage.TYPE_BYTE_GRAY), "png");
        assertRefused(Arrays.copyOf(png, png.length - 12), 422, "no IEND");
        byte[] badCrc = png.clone();
        badCrc[indexOf(png, "IDAT") + 20] ^= 1;
        assertRefused(badCrc, 422, "CRC of its 'IDAT' chunk is wrong");
        assertRefused(concat(png, "<html><script>alert(1)</script></html>".getBytes()), 422, "after its end (IEND)");
        assertRefused(concat(png, zipBytes()), 422, "after its end (IEND)");
    }

    @Test
    void refusesPngWithUnknownCriticalChunkOrMissingImageData() throws Exception {
        byte[] png = encode(noisy(100, 100, BufferedImage.TYPE_BYTE_GRAY), "png");
        int iend = indexOf(png, "IEND") - 4;
        byte[] withCritical = concat(Arrays.copyOf(png, iend), chunk("XYZw", new byte[]{1, 2, 3}),
                Arrays.copyOfRange(png, iend, png.length));
        assertRefused(withCritical, 422, "unknown critical chunk 'XYZw'");
        // an unknown ancillary chunk is fine
        byte[] withAncillary = concat(Arrays.copyOf(png, iend), chunk("xyZw", new byte[]{1, 2, 3}),
                Arrays.copyOfRange(png, iend, png.length));
        assertEquals(ImageFormat.PNG, ImageInspector.inspect(withAncillary).format());
        // IHDR then IEND: no image data
        byte[] noIdat = concat(Arrays.copyOf(png, 33), Arrays.copyOfRange(png, iend, png.length));
        assertRefused(noIdat, 422, "no image data");
        // IDAT before IHDR
        byte[] idatFirst = concat(Arrays.copyOf(png, 8), chunk("IDAT", new byte[]{0x78, (byte) 0x9c}),
                Arrays.copyOfRange(png, 8, png.length));
        assertRefused(idatFirst, 422, "does not start with an IHDR");
    }

    @Test
    void refusesTinyAndTruncatedImagesAsUnprocessable() throws Exception {
        assertRefused(encode(new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY), "png"), 422, "16x16");
        assertRefused(encode(new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY), "png"), 422, "1x1");
        assertRefused(encode(new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY), "jpeg"), 422, "1x1");
        assertRefused(encode(new BufferedImage(63, 400, BufferedImage.TYPE_BYTE_GRAY), "jpeg"), 422, "63x400");
        var noisy = noisy(300, 300, BufferedImage.TYPE_BYTE_GRAY);
        for (String format : new String[]{"png", "jpeg"}) {
            byte[] full = encode(noisy, format);
            var cut = refused(Arrays.copyOf(full, full.length / 2));
            assertEquals(422, cut.status(), format);
            assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());
            assertEquals(422, refused(Arrays.copyOf(full, full.length - 1)).status(), format);
        }
    }

    @Test
    void refusesDecompressionBombFromHeaderAlone() throws Exception {
        // A PNG whose header claims 60000 x 60000 pixels (CRC right): refused before any pixel is allocated.
        byte[] png = encode(new BufferedImage(100, 100, BufferedImage.TYPE_BYTE_GRAY), "png");
        byte[] bomb = png.clone();
        writeInt(bomb, 16, 60000);
        writeInt(bomb, 20, 60000);
        fixCrc(bomb, 8);
        assertRefused(bomb, 422, "60000x60000");
        // Issue 12: a 318 KB PNG within the side limits inflated to 335 MB inside ingest. Sides of 8000 are within
        // the limits, but 8000 x 8000 RGBA at 16 bits decodes to 512 MB: refused from IHDR, over the decoded budget.
        byte[] deep = png.clone();
        writeInt(deep, 16, 8000);
        writeInt(deep, 20, 8000);
        deep[24] = 16;
        deep[25] = 6;
        fixCrc(deep, 8);
        assertRefused(deep, 422, "decodes to more than the limit of " + ImageLimits.MAX_DECODED_BYTES);
        // the same budget for JPEG: 8000 x 8000 x 3 components
        byte[] jpeg = encode(noisy(100, 100, BufferedImage.TYPE_INT_RGB), "jpeg");
        int sof = indexOfMarker(jpeg, 0xc0);
        jpeg[sof + 5] = (byte) (8000 >> 8);
        jpeg[sof + 6] = (byte) 8000;
        jpeg[sof + 7] = (byte) (8000 >> 8);
        jpeg[sof + 8] = (byte) 8000;
        assertRefused(jpeg, 422, "decodes to more than the limit");
    }

    @Test
    void refusesRasterFilesOverTwentyMegabytes() throws Exception {
        byte[] png = encode(noisy(100, 100, BufferedImage.TYPE_BYTE_GRAY), "png");
        byte[] big = Arrays.copyOf(png, (int) ImageLimits.MAX_RASTER_FILE_BYTES + 1);
        assertEquals(413, refused(big).status());
    }

    // --- JPEG structure ----------------------------------------------------------------------------------------------

    @Test
    void refusesJpegWithAnythingAfterItsEnd() throws Exception {
        byte[] jpeg = TestImages.bytes(TestImages.files("NORMAL", 1).get(0));
        assertEquals(ImageFormat.JPEG, ImageInspector.inspect(jpeg).format());
        assertRefused(concat(jpeg, zipBytes()), 422, "after its end (EOI)");
        assertRefused(concat(jpeg, "<html><body>hi</body></html>".getBytes()), 422, "after its end (EOI)");
        assertRefused(concat(jpeg, jpeg), 422, "after its end (EOI)");
        assertRefused(Arrays.copyOf(jpeg, jpeg.length - 2), 422, "truncated");
    }

    @Test
    void refusesCmykYcckAndUnsupportedJpegProcesses() throws Exception {
        // Issue 12: a CMYK film decoded washed out and scored 0.9993. Refused from the frame header.
        assertRefused(TestImages.cmykJpeg(128), 422, "4 components (CMYK or YCCK)");
        assertRefused(syntheticJpeg(0xc0, 8, 4, null), 422, "4 components (CMYK or YCCK)");
        assertRefused(syntheticJpeg(0xc2, 8, 4, null), 422, "4 components");
        byte[] adobe = {(byte) 0xff, (byte) 0xee, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 2};
        assertRefused(syntheticJpeg(0xc0, 8, 3, adobe), 422, "YCCK (Adobe)");
        adobe[15] = 1; // Adobe, YCbCr: fine
        assertEquals(ImageFormat.JPEG, ImageInspector.inspect(syntheticJpeg(0xc0, 8, 3, adobe)).format());
        assertEquals(ImageFormat.JPEG, ImageInspector.inspect(syntheticJpeg(0xc0, 8, 1, null)).format());
        assertRefused(syntheticJpeg(0xc3, 8, 1, null), 422, "coding process that is not supported");
        assertRefused(syntheticJpeg(0xc9, 8, 1, null), 422, "coding process that is not supported");
        assertRefused(syntheticJpeg(0xc1, 12, 1, null), 422, "12-bit");
        assertRefused(syntheticJpeg(0xc0, 8, 2, null), 422, "2 components");
    }

    @Test
    void damagedInputNeverThrowsAnythingButRejected() throws Exception {
        Random random = new Random(7);
        List<byte[]> seeds = List.of(encode(noisy(120, 90, BufferedImage.TYPE_BYTE_GRAY), "png"),
                encode(noisy(120, 90, BufferedImage.TYPE_INT_RGB), "jpeg"),
                progressiveJpeg(noisy(120, 90, BufferedImage.TYPE_INT_RGB)),
                TestImages.bytes(TestImages.files("PNEUMONIA", 1).get(0)));
        for (byte[] seed : seeds) {
            for (int round = 0; round < 400; round++) {
                byte[] b = round % 4 == 0 ? Arrays.copyOf(seed, 1 + random.nextInt(seed.length)) : seed.clone();
                if (round % 4 != 0) {
                    for (int k = 0, n = 1 + random.nextInt(6); k < n; k++) {
                        b[random.nextInt(Math.min(b.length, round % 2 == 0 ? 400 : b.length))] = (byte) random.nextInt();
                    }
                }
                try {
                    ImageInspector.inspect(b);
                } catch (ImageInspector.Rejected expected) {
                    assertTrue(expected.status() >= 400 && expected.status() < 500);
                } catch (Throwable t) {
                    fail("round " + round + " threw " + t, t);
                }
            }
        }
    }

    // --- helpers -----------------------------------------------------------------------------------------------------

    /** SOI, [extra], DQT, SOF (marker, precision, 100x100, n components), DHT, SOS over all components, data, EOI. */
    static byte[] syntheticJpeg(int sofMarker, int precision, int n, byte[] extra) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(new byte[]{(byte) 0xff, (byte) 0xd8});
        if (extra != null) o.writeBytes(extra);
        byte[] dqt = new byte[2 + 2 + 1 + 64];
        dqt[0] = (byte) 0xff; dqt[1] = (byte) 0xdb; dqt[3] = 67;
        Arrays.fill(dqt, 5, dqt.length, (byte) 1);
        o.writeBytes(dqt);
        int len = 8 + 3 * n;
        o.writeBytes(new byte[]{(byte) 0xff, (byte) sofMarker, 0, (byte) len, (byte) precision, 0, 100, 0, 100, (byte) n});
        for (int i = 1; i <= n; i++) o.writeBytes(new byte[]{(byte) i, 0x11, 0});
        byte[] dht = new byte[2 + 2 + 1 + 16 + 1];
        dht[0] = (byte) 0xff; dht[1] = (byte) 0xc4; dht[3] = 20; dht[5] = 1;
        o.writeBytes(dht);
        o.writeBytes(new byte[]{(byte) 0xff, (byte) 0xda, 0, (byte) (6 + 2 * n), (byte) n});
        for (int i = 1; i <= n; i++) o.writeBytes(new byte[]{(byte) i, 0});
        o.writeBytes(new byte[]{0, 63, 0});
        o.writeBytes(new byte[]{0x12, 0x34, (byte) 0xff, 0x00, 0x56, (byte) 0xff, (byte) 0xd0, 0x78});
        o.writeBytes(new byte[]{(byte) 0xff, (byte) 0xd9});
        return o.toByteArray();
    }

    static byte[] zipBytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var zip = new java.util.zip.ZipOutputStream(out)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("payload.html"));
            zip.write("<script>alert(1)</script>".getBytes());
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    static byte[] chunk(String type, byte[] data) {
        byte[] c = new byte[12 + data.length];
        writeInt(c, 0, data.length);
        System.arraycopy(type.getBytes(), 0, c, 4, 4);
        System.arraycopy(data, 0, c, 8, data.length);
        fixCrc(c, 0);
        return c;
    }

    /** Recomputes the CRC of the chunk starting (at its length field) at {@code at}. */
    static void fixCrc(byte[] b, int at) {
        int len = (int) u32(b, at);
        CRC32 crc = new CRC32();
        crc.update(b, at + 4, 4 + len);
        writeInt(b, at + 8 + len, (int) crc.getValue());
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    static int indexOf(byte[] b, String ascii) {
        byte[] n = ascii.getBytes();
        outer:
        for (int i = 0; i + n.length <= b.length; i++) {
            for (int k = 0; k < n.length; k++) if (b[i + k] != n[k]) continue outer;
            return i;
        }
        throw new AssertionError(ascii + " not found");
    }

    static int indexOfMarker(byte[] b, int marker) {
        for (int i = 0; i + 1 < b.length; i++) if ((b[i] & 0xff) == 0xff && (b[i + 1] & 0xff) == marker) return i;
        throw new AssertionError("marker not found");
    }

    static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    static void writeInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
