package io.alveolus.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One model version as bytes: its manifest and its parameter file, and the content hash that names it in the
 * registry. The hash is SHA-256 over the manifest's bytes followed by the parameters' bytes, so two versions with the
 * same weights but another calibration (another manifest) are different versions, and a version's files cannot be
 * swapped under its id without the worker noticing.
 */
public record ModelBundle(ModelManifest manifest, byte[] manifestBytes, byte[] params) {

    /** Parses and checks a manifest and its parameters as registered (names, sizes; not yet loaded). */
    public static ModelBundle of(byte[] manifestBytes, byte[] params) {
        ModelManifest m;
        try {
            m = ModelManifest.read(new java.io.ByteArrayInputStream(manifestBytes));
        } catch (IOException e) {
            throw new IllegalArgumentException("the manifest is not valid JSON: " + e.getMessage(), e);
        }
        check(m);
        if (params == null || params.length == 0) {
            throw new IllegalArgumentException("the parameter file is empty");
        }
        return new ModelBundle(m, manifestBytes, params);
    }

    /** A version shipped in the model jar ({@link ModelManifest#shippedResource}). */
    public static ModelBundle shipped(String version) {
        String resource = ModelManifest.shippedResource(version);
        ClassLoader cl = ModelBundle.class.getClassLoader();
        try {
            byte[] manifestBytes = read(cl, resource + "manifest.json");
            ModelManifest m = ModelManifest.read(new java.io.ByteArrayInputStream(manifestBytes));
            return new ModelBundle(m, manifestBytes, read(cl, resource + m.paramsFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A version as a training run leaves it: {@code manifest.json} and the parameter file it names, in one folder. */
    public static ModelBundle fromDirectory(Path dir) {
        try {
            byte[] manifestBytes = Files.readAllBytes(dir.resolve("manifest.json"));
            ModelManifest m = ModelManifest.read(new java.io.ByteArrayInputStream(manifestBytes));
            check(m);
            return of(manifestBytes, Files.readAllBytes(dir.resolve(m.paramsFile())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every version this jar ships, oldest first (each stays loadable, so a rollback needs no other image). */
    public static final List<String> SHIPPED_VERSIONS = List.of("pneumonia-v1", "pneumonia-v2", "pneumonia-v3");

    /** Whether this jar ships a version by that id. */
    public static boolean isShipped(String version) {
        try {
            return ModelBundle.class.getClassLoader()
                    .getResource(ModelManifest.shippedResource(version) + "manifest.json") != null;
        } catch (IllegalArgumentException notAVersion) {
            return false;
        }
    }

    private static byte[] read(ClassLoader cl, String resource) throws IOException {
        try (InputStream in = cl.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no shipped model file on the classpath at " + resource);
            }
            return in.readAllBytes();
        }
    }

    /** What a manifest must name for the worker to build and run it; the registry refuses anything less. */
    static void check(ModelManifest m) {
        if (m.version() == null || !m.version().matches("[a-z0-9-]{1,40}")) {
            throw new IllegalArgumentException("the manifest's version must be 1-40 of a-z, 0-9 and '-': " + m.version());
        }
        if (m.paramsFile() == null || !m.paramsFile().matches("[A-Za-z0-9_-]{1,80}(-\\d{4})?\\.params")) {
            throw new IllegalArgumentException("the manifest's paramsFile must be a plain *.params file name");
        }
        if (m.architecture() == null || m.normalisation() == null || m.calibration() == null || m.inputSize() < 32) {
            throw new IllegalArgumentException("the manifest lacks its architecture, normalisation, calibration or input size");
        }
    }

    public String version() {
        return manifest.version();
    }

    /** SHA-256 (hex) of the manifest's bytes followed by the parameters'. */
    public String contentSha256() {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(manifestBytes);
            d.update(params);
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loads the network (writes both files to a temporary folder for DJL, removed once loaded). */
    public PneumoniaModel load() {
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("alveolus-model-");
            Files.write(tmp.resolve("manifest.json"), manifestBytes);
            Files.write(tmp.resolve(manifest.paramsFile()), params);
            return PneumoniaModel.load(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            PneumoniaModel.deleteQuietly(tmp); // parameters are in memory once loaded
        }
    }
}
