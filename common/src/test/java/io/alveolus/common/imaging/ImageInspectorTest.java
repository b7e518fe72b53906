package io.alveolus.common.imaging;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageInspectorTest {

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    @Test
    void acceptsPngAndJpegByContent() throws Exception {
        var grey = new BufferedImage(256, 200, BufferedImage.TYPE_BYTE_GRAY);
        var png = ImageInspector.inspect(encode(grey, "png"));
        assertEquals(ImageFormat.PNG, png.format());
        assertEquals(256, png.width());
        assertEquals(200, png.height());
        assertEquals(ImageFormat.JPEG, ImageInspector.inspect(encode(grey, "jpeg")).format());
    }

    @Test
    void refusesNonImagesAsUnsupported() {
        var e = assertThrows(ImageInspector.Rejected.class, () -> ImageInspector.inspect("%PDF-1.7 hello".getBytes()));
        assertTrue(e.unsupported());
    }

    @Test
    void refusesTinyAndTruncatedImagesAsUnprocessable() throws Exception {
        var tiny = assertThrows(ImageInspector.Rejected.class,
                () -> ImageInspector.inspect(encode(new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY), "png")));
        assertFalse(tiny.unsupported());
        var noisy = new BufferedImage(300, 300, BufferedImage.TYPE_BYTE_GRAY);
        var rnd = new java.util.Random(1);
        for (int y = 0; y < 300; y++) {
            for (int x = 0; x < 300; x++) {
                noisy.getRaster().setSample(x, y, 0, rnd.nextInt(256));
            }
        }
        for (String format : new String[]{"png", "jpeg"}) {
            byte[] full = encode(noisy, format);
            var cut = assertThrows(ImageInspector.Rejected.class,
                    () -> ImageInspector.inspect(Arrays.copyOf(full, full.length / 2)), format);
            assertFalse(cut.unsupported());
        }
    }

    @Test
    void refusesDecompressionBombFromHeaderAlone() throws Exception {
        // A PNG whose header claims 60000 x 60000 pixels: refused before any pixel is allocated.
        byte[] png = encode(new BufferedImage(100, 100, BufferedImage.TYPE_BYTE_GRAY), "png");
        byte[] bomb = png.clone();
        writeInt(bomb, 16, 60000);
        writeInt(bomb, 20, 60000);
        var e = assertThrows(ImageInspector.Rejected.class, () -> ImageInspector.inspect(bomb));
        assertFalse(e.unsupported());
        assertTrue(e.getMessage().contains("60000x60000"), e.getMessage());
    }

    private static void writeInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
