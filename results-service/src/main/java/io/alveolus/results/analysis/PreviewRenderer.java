package io.alveolus.results.analysis;

import io.alveolus.interop.DicomImage;
import io.alveolus.interop.DicomRejected;
import io.alveolus.model.Preprocessor;
import io.alveolus.persistence.Analysis;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * What a person sees of a radiograph: grey, windowed as the model saw it (the model's own percentile window, so a
 * 12-bit DICOM is not a dark or washed-out picture), aspect kept, at most {@link #MAX_SIDE} px. The portal's
 * preview of every upload (a browser cannot show DICOM) and the Secondary Capture sent to a PACS both come from
 * here. Rendered on first request, never on the worker's hot path, and cached by analysis id (bounded, LRU).
 */
@ApplicationScoped
public class PreviewRenderer {
    public static final int MAX_SIDE = 1024;

    private final RenderCache cache;
    @Inject
    MeterRegistry metrics;

    @Inject
    public PreviewRenderer(@ConfigProperty(name = "alveolus.results.preview-cache-entries", defaultValue = "128")
                           int entries) {
        this.cache = new RenderCache(entries, "alveolus.results.previews");
    }

    /** The PNG preview of {@code a}'s original (read through {@code original} only when not cached). */
    public byte[] png(Analysis a, Supplier<byte[]> original) {
        return cache.get(a.id, () -> encode(windowed(decode(a.contentType, original.get()), MAX_SIDE)), metrics);
    }

    /** The original as an image: DICOM through interop's decoder, PNG/JPEG through the model's. */
    public static BufferedImage decode(String contentType, byte[] bytes) {
        if ("application/dicom".equals(contentType)) {
            try {
                return DicomImage.decode(bytes).image();
            } catch (DicomRejected e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        return Preprocessor.decode(bytes);
    }

    /** Grey, percentile-windowed as the model reads it, longer side at most {@code maxSide}. */
    public static BufferedImage windowed(BufferedImage image, int maxSide) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[] grey = Preprocessor.window(Preprocessor.grey(image));
        double scale = Math.min(1.0, (double) maxSide / Math.max(w, h));
        int ow = Math.max(1, (int) Math.round(w * scale));
        int oh = Math.max(1, (int) Math.round(h * scale));
        float[] out = ow == w && oh == h ? grey : Preprocessor.resize(grey, w, h, ow, oh);
        BufferedImage img = new BufferedImage(ow, oh, BufferedImage.TYPE_BYTE_GRAY);
        byte[] raster = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < raster.length; i++) {
            raster[i] = (byte) Math.round(Math.max(0f, Math.min(1f, out[i])) * 255f);
        }
        return img;
    }

    private static byte[] encode(BufferedImage img) {
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(img, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
