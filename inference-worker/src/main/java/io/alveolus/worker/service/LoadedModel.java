package io.alveolus.worker.service;

import io.alveolus.common.imaging.ImageFormat;
import io.alveolus.common.imaging.ImageInspector;
import io.alveolus.common.imaging.ImageLimits;
import io.alveolus.interop.DicomImage;
import io.alveolus.model.ModelManifest;
import io.alveolus.model.PneumoniaModel;
import io.alveolus.model.Prediction;
import io.alveolus.model.Preprocessor;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.function.Function;

/**
 * One model version the worker holds in memory: the network, the registry's id and content hash, and how its
 * operating points are chosen. Thread-safe (see {@link PneumoniaModel}).
 */
public final class LoadedModel implements AutoCloseable {
    /** Marks every result of a stub-forward worker, so no one can take one for a reading. */
    static final String STUB_SUFFIX = "+stub-forward";
    private final PneumoniaModel model;
    private final String contentSha256;
    private final boolean stubForward;

    LoadedModel(PneumoniaModel model, String contentSha256, boolean stubForward) {
        this.model = model;
        this.contentSha256 = contentSha256;
        this.stubForward = stubForward;
    }

    /** The registry id (the manifest's version). */
    public String id() {
        return model.manifest().version();
    }

    /** The version a result records: the model's, marked when the forward pass is the bench's stub. */
    public String version() {
        return versionOf(id(), stubForward);
    }

    static String versionOf(String modelVersion, boolean stubForward) {
        return modelVersion + (stubForward ? STUB_SUFFIX : "");
    }

    public String contentSha256() {
        return contentSha256;
    }

    public ModelManifest manifest() {
        return model.manifest();
    }

    public double threshold() {
        return model.manifest().threshold();
    }

    /**
     * PNG/JPEG through ImageIO; DICOM through its LUT pipeline to a display-ready grey image. Both after the
     * validation contract's header and structure checks (the same as ingest's, so an image stored under older,
     * looser rules cannot make the decoder allocate past the decoded-size budget). What cannot be decoded throws,
     * and the analysis ends FAILED with the reason. Decoding does not depend on the version.
     */
    public static BufferedImage decode(byte[] bytes) throws Exception {
        if (ImageFormat.sniff(bytes).orElse(null) == ImageFormat.DICOM) {
            return DicomImage.decode(bytes).image();
        }
        try {
            ImageInspector.inspect(bytes);
        } catch (ImageInspector.Rejected r) {
            throw new IllegalArgumentException(r.getMessage());
        }
        return Preprocessor.decode(bytes);
    }

    /**
     * A blank image never gets a probability: the applicability gate ends it NOT_APPLICABLE; a version without a
     * gate (v1, a rollback) cannot, so the analysis ends FAILED with this reason instead.
     *
     * @return the reason, or null when this version may read the image
     */
    public String blankWithoutGate(BufferedImage image) {
        return model.manifest().applicability() == null && ImageLimits.isConstant(image)
                ? "the image is blank: every pixel has the same value" : null;
    }

    /** Versions whose inputs are computed alike share one prepared input (a shadow of the same recipe costs no
     * second preparation). */
    String preprocessingKey() {
        ModelManifest m = model.manifest();
        return m.inputSize() + "|" + m.intensity() + "|" + m.normalisation().mean() + "|" + m.normalisation().std();
    }

    /**
     * The operating point for a patient: the population by age (unknown or unvalidated ages: the model's default
     * population), and its threshold unless the tenant's override for this version lies inside that population's
     * validated range.
     */
    public OperatingPoint operatingPoint(Integer ageYears, Function<String, Double> overrides) {
        ModelManifest m = model.manifest();
        String population = m.populationFor(ageYears);
        String applied = population != null ? population : m.defaultPopulation();
        Double tenantOverride = overrides.apply(applied);
        ModelManifest.Population p = m.population(applied);
        double threshold = p == null ? m.threshold() : p.threshold();
        boolean overrideValid = tenantOverride != null
                && (p == null ? m.isThresholdValidated(tenantOverride) : p.isThresholdValidated(tenantOverride));
        return new OperatingPoint(p == null ? null : applied, overrideValid ? tenantOverride : threshold);
    }

    /** Whether the model was validated for a patient of this age (false when the age is unknown). */
    public boolean validatedFor(Integer ageYears) {
        return model.manifest().populationFor(ageYears) != null;
    }

    /** @param population null for a model without populations (v1) */
    public record OperatingPoint(String population, double threshold) {
    }

    /** The network input of a decoded image; thread-safe, runs on the worker's host threads. */
    public PneumoniaModel.Input prepare(BufferedImage image) {
        return model.prepare(image);
    }

    /** One forward pass for prepared images that share an operating point. */
    public List<Prediction> predict(List<PneumoniaModel.Input> inputs, OperatingPoint op) {
        if (stubForward) {
            return placeholders(inputs, op, model.manifest().inputSize());
        }
        return model.predictPrepared(inputs, op.population(), op.threshold());
    }

    /** The stub forward pass: negative placeholders with the grid shape a real pass would give, at no cost. */
    static List<Prediction> placeholders(List<PneumoniaModel.Input> inputs, OperatingPoint op, int inputSize) {
        int side = inputSize / 32; // the network downsamples 32x
        return inputs.stream().map(i -> new Prediction(0.0, false, op.threshold(), 0.0, new float[side * side],
                side, side, 0.0, inputs.size(), true, null, 1.0, op.population())).toList();
    }

    @Override
    public void close() {
        model.close();
    }
}
