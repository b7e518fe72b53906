package io.alveolus.model;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;

import static org.junit.jupiter.api.Assertions.*;

class HeatmapsTest {

    @Test
    void pngIsRgbaOfCamSizeAndTransparentWhereLow() throws Exception {
        int s = 16;
        float[] cam = new float[s * s];
        cam[s * s - 1] = 1f;
        cam[0] = 0.1f;
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(Heatmaps.png(cam, s, Heatmaps.DEFAULT_FLOOR)));
        assertEquals(s, img.getWidth());
        assertEquals(s, img.getHeight());
        assertTrue(img.getColorModel().hasAlpha());
        assertEquals(0, img.getRGB(0, 0) >>> 24, "below the floor is transparent");
        int hot = img.getRGB(s - 1, s - 1);
        assertEquals(Heatmaps.MAX_ALPHA, hot >>> 24);
        assertTrue(((hot >> 16) & 0xFF) > 100, "hot is red-ish");
    }

    @Test
    void aStoredGridRendersAtInputSizeNormalisedToItsMaximum() throws Exception {
        float[] grid = {-3f, -1f, 0f, 0.5f, 1f, 2f, -2f, 4f, 1f}; // 3x3, raw (negative = against pneumonia)
        float[] up = Heatmaps.normalised(grid, 3, 3, 224);
        assertEquals(224 * 224, up.length);
        float max = 0;
        for (float v : up) {
            assertTrue(v >= 0f && v <= 1f);
            max = Math.max(max, v);
        }
        assertEquals(1f, max, 1e-6);
        assertEquals(0f, up[0], "negative evidence is not drawn");
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(Heatmaps.png(grid, 3, 3, 224)));
        assertEquals(224, img.getWidth());
        assertTrue(img.getColorModel().hasAlpha());
        assertEquals(0, img.getRGB(0, 0) >>> 24);
    }

    @Test
    void gridBytesRoundTripAndBadGridsAreRefused() {
        float[] grid = {1.5f, -2.25f, 0f, Float.MIN_VALUE, 3e7f, -0f};
        assertArrayEquals(grid, Heatmaps.decode(Heatmaps.encode(grid)));
        assertEquals(24, Heatmaps.encode(grid).length);
        assertThrows(IllegalArgumentException.class, () -> Heatmaps.normalised(grid, 4, 2, 224));
        assertThrows(IllegalArgumentException.class, () -> Heatmaps.decode(new byte[] {1, 2, 3}));
    }
}
