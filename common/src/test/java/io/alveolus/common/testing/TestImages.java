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

    public static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
