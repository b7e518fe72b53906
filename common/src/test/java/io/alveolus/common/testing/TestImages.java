package io.alveolus.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Real chest X-rays from ../shared/data (never copied into the repository). */
public final class TestImages {
    private TestImages() {
    }

    public static Path dataDir() {
        String prop = System.getProperty("alveolus.data.dir");
        if (prop != null) {
            return Path.of(prop);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/data/cxr-kermany224");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("training data not found: expected ../shared/data/cxr-kermany224 next to the"
                + " repository, or -Dalveolus.data.dir");
    }

    /** The first {@code n} files of a class folder (NORMAL or PNEUMONIA), in name order: stable across runs. */
    public static List<Path> files(String label, int n) {
        try (Stream<Path> s = Files.list(dataDir().resolve(label))) {
            return s.sorted().limit(n).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A 4-component JPEG (CMYK samples, as a print workflow or a scanner writes them) of {@code size}x{@code size}
     * random samples, written by the JDK's encoder from a 4-band raster.
     */
    public static byte[] cmykJpeg(int size) {
        var raster = java.awt.image.Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, size, size, 4,
                null);
        var rnd = new java.util.Random(size);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                for (int b = 0; b < 4; b++) raster.setSample(x, y, b, rnd.nextInt(256));
            }
        }
        var writer = javax.imageio.ImageIO.getImageWritersByFormatName("jpeg").next();
        var out = new java.io.ByteArrayOutputStream();
        try (var ios = new javax.imageio.stream.MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new javax.imageio.IIOImage(raster, null, null), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    public static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
