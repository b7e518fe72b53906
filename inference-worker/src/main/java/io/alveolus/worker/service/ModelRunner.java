package io.alveolus.worker.service;

import io.alveolus.common.imaging.ImageFormat;
import io.alveolus.common.imaging.ImageInspector;
import io.alveolus.common.imaging.ImageLimits;
import io.alveolus.interop.DicomImage;
import io.alveolus.model.ModelManifest;
import io.alveolus.model.PneumoniaModel;
import io.alveolus.model.Prediction;
import io.alveolus.model.Preprocessor;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;

/**
 * The shipped pneumonia model, loaded once at start-up (offline: weights and natives are on the classpath).
 * {@code alveolus.model.version} picks a shipped version (default: the newest, pneumonia-v3); earlier versions stay
 * loadable, so a rollback is a configuration change.
 */
@Startup
@ApplicationScoped
public class ModelRunner {
    private static final Logger LOG = Logger.getLogger(ModelRunner.class);
    /** Marks every result of a stub-forward worker, so no one can take one for a reading. */
    static final String STUB_SUFFIX = "+stub-forward";
    private final PneumoniaModel model;
    private final boolean stubForward;

    /**
     * @param stubForward bench mode only ({@code bench/host-path.sh}): the forward pass is skipped and costs
     *                    nothing, so the worker's host side alone (fetch, decode, prepare, batch, write) is measured:
     *                    the ceiling a GPU node's host would have. Results carry the version "...+stub-forward".
     */
    @Inject
    public ModelRunner(@ConfigProperty(name = "alveolus.model.version") Optional<String> expectedVersion,
                       @ConfigProperty(name = "alveolus.worker.bench.stub-forward", defaultValue = "false")
                       boolean stubForward) {
        this.stubForward = stubForward;
        String wanted = expectedVersion.filter(v -> !v.isBlank()).orElse(ModelManifest.DEFAULT_VERSION);
        try {
            // a deployment that asks for a version this image does not ship fails at start, never runs another
            model = PneumoniaModel.loadShipped(wanted);
        } catch (Exception e) {
            throw new IllegalStateException("model version " + wanted + " is not shipped in this worker image", e);
        }
        LOG.infof("model %s loaded (threshold %.4f)", version(), threshold());
        if (stubForward) {
            LOG.warn("BENCH MODE: alveolus.worker.bench.stub-forward is set; no image is read by the model and every"
                    + " result is a placeholder marked " + version());
        }
    }

    public String version() {
        return versionOf(model.manifest().version(), stubForward);
    }

    /** The version a result records: the model's, marked when the forward pass is the bench's stub. */
    static String versionOf(String modelVersion, boolean stubForward) {
        return modelVersion + (stubForward ? STUB_SUFFIX : "");
    }

    public double threshold() {
        return model.manifest().threshold();
    }

    /**
     * PNG/JPEG through ImageIO; DICOM through its LUT pipeline to a display-ready grey image. Both after the
     * validation contract's header and structure checks (the same as ingest's, so an image stored under older,
     * looser rules cannot make the decoder allocate past the decoded-size budget). What cannot be decoded throws,
     * and the analysis ends FAILED with the reason.
     */
    public BufferedImage decode(byte[] bytes) throws Exception {
        BufferedImage image;
        if (ImageFormat.sniff(bytes).orElse(null) == ImageFormat.DICOM) {
            image = DicomImage.decode(bytes).image();
        } else {
            try {
                ImageInspector.inspect(bytes);
            } catch (ImageInspector.Rejected r) {
                throw new IllegalArgumentException(r.getMessage());
            }
            image = Preprocessor.decode(bytes);
        }
        // A blank image never gets a probability: the applicability gate ends it NOT_APPLICABLE; a model without a
        // gate (v1, a rollback) cannot, so the analysis ends FAILED here with the reason.
        if (model.manifest().applicability() == null && ImageLimits.isConstant(image)) {
            throw new IllegalArgumentException("the image is blank: every pixel has the same value");
        }
        return image;
    }

    public ModelManifest manifest() {
        return model.manifest();
    }

    /**
     * The operating point for a patient: the population by age (unknown or unvalidated ages: the model's default
     * population), and its threshold unless the tenant's override lies inside that population's validated range.
     */
    public OperatingPoint operatingPoint(Integer ageYears, java.util.function.Function<String, Double> overrides) {
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

    @PreDestroy
    void close() {
        model.close();
    }
}
