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
        Prediction p = new Prediction(0.9, true, 0.5, 2.0, cam, s, 1.0, 1);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(Heatmaps.png(p)));
        assertEquals(s, img.getWidth());
        assertEquals(s, img.getHeight());
        assertTrue(img.getColorModel().hasAlpha());
        assertEquals(0, img.getRGB(0, 0) >>> 24, "below the floor is transparent");
        int hot = img.getRGB(s - 1, s - 1);
        assertEquals(Heatmaps.MAX_ALPHA, hot >>> 24);
        assertTrue(((hot >> 16) & 0xFF) > 100, "hot is red-ish");
    }
}
