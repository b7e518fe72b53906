package io.alveolus.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything needed to run and interpret a trained pneumonia model, stored as {@code manifest.json} next to
 * the parameter file. Written by the training CLI, read by {@link PneumoniaModel}.
 *
 * @param name                     model name, e.g. {@code "pneumonia"}
 * @param version                  model version, e.g. {@code "pneumonia-v1"}
 * @param architecture             network description; {@link PneumoniaNet} rebuilds the block from it
 * @param paramsFile               file name of the DJL parameter file in the model folder
 * @param inputSize                side of the square greyscale input (pixels)
 * @param normalisation            mean/std applied after scaling the grey values to [0,1]
 * @param calibration              Platt scaling applied to the raw logit
 * @param threshold                decision threshold on the calibrated probability
 * @param validatedThresholdRange  [min, max] thresholds for which operating points were measured; tenants may
 *                                 override the threshold only within this range
 * @param metrics                  validation metrics of this model
 * @param trainingData             provenance of the training data
 * @param createdAt                ISO-8601 instant of creation
 * @param intensity                intensity normalisation before mean/std ({@code null} or {@code "none"}: v1;
 *                                 {@value Preprocessor#PERCENTILE_WINDOW}: scanner-independent percentile window)
 * @param outputs                  network outputs: 1 (pneumonia logit, v1) or 2 (pneumonia, applicability logits)
 * @param populations              per-population calibration, threshold and metrics (v2); the top-level
 *                                 calibration and threshold are those of {@code defaultPopulation}
 * @param defaultPopulation        population assumed when the patient's age is unknown
 * @param applicability            the image-based applicability gate (v2); {@code null}: no gate
 * @param intendedUse              what the model may be used for, and what was not validated
 * @param trainingSources          provenance of every training source (v2; {@code trainingData} is the first)
 * @param pneumoniaLogits          per population, the index of its pneumonia logit (v3: one head per population,
 *                                 so the adult decision is learnt from adult films only); {@code null}: logit 0
 *                                 for every population. Index 1 is always the applicability logit.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelManifest(
        String name,
        String version,
        Architecture architecture,
        String paramsFile,
        int inputSize,
        Normalisation normalisation,
        Calibration calibration,
        double threshold,
        double[] validatedThresholdRange,
        Metrics metrics,
        TrainingData trainingData,
        String createdAt,
        String intensity,
        Integer outputs,
        java.util.Map<String, Population> populations,
        String defaultPopulation,
        Applicability applicability,
        IntendedUse intendedUse,
        List<TrainingData> trainingSources,
        java.util.Map<String, Integer> pneumoniaLogits) {

    /** The v1 shape (single population, no gate). */
    public ModelManifest(String name, String version, Architecture architecture, String paramsFile, int inputSize,
                         Normalisation normalisation, Calibration calibration, double threshold,
                         double[] validatedThresholdRange, Metrics metrics, TrainingData trainingData,
                         String createdAt) {
        this(name, version, architecture, paramsFile, inputSize, normalisation, calibration, threshold,
                validatedThresholdRange, metrics, trainingData, createdAt, null, null, null, null, null, null, null, null);
    }

    /** The index of {@code population}'s pneumonia logit (0 unless the model has one head per population). */
    public int pneumoniaLogit(String population) {
        Integer i = pneumoniaLogits == null || population == null ? null : pneumoniaLogits.get(population);
        return i == null ? 0 : i;
    }

    /**
     * One population's operating point: calibration fitted and threshold chosen on its validation split;
     * {@code internalTest} scored once on the locked internal test split (null until scored).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Population(String description, int minAgeYears, int maxAgeYears, Calibration calibration,
                             double threshold, double[] validatedThresholdRange, Metrics validation,
                             Metrics internalTest) {
        public boolean isThresholdValidated(double t) {
            return validatedThresholdRange != null && validatedThresholdRange.length == 2
                    && t >= validatedThresholdRange[0] && t <= validatedThresholdRange[1];
        }
    }

    /**
     * The applicability gate: an image is read only if its grey-level spread is at least {@code minSpread}
     * (blank / constant images) and the applicability head's probability is at least {@code threshold}.
     * {@code falseRejection} maps a split name to the fraction of its real radiographs refused.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Applicability(String description, double minSpread, double threshold,
                                java.util.Map<String, Double> falseRejection,
                                java.util.Map<String, Double> syntheticRejection) {
    }

    /** Intended use, in words shown to clinicians, and what was not validated. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IntendedUse(String summary, List<String> populations, List<String> views,
                              List<String> notValidated) {
    }

    /** The population's operating point, or null if this manifest has none by that name. */
    public Population population(String populationName) {
        return populations == null || populationName == null ? null : populations.get(populationName);
    }

    /**
     * The population whose operating point applies to a patient of this age, or null when the age lies outside
     * every validated population (the caller then uses {@link #defaultPopulation()} and shows "not validated").
     * An unknown age (null) also gives null.
     */
    public String populationFor(Integer ageYears) {
        if (populations == null || ageYears == null) {
            return null;
        }
        for (var e : populations.entrySet()) {
            if (ageYears >= e.getValue().minAgeYears() && ageYears <= e.getValue().maxAgeYears()) {
                return e.getKey();
            }
        }
        return null;
    }

    /** Network outputs (1 for manifests written before v2). */
    public int outputCount() {
        return outputs == null ? 1 : outputs;
    }

    /** Compact ResNet description; {@code widths.length == blocksPerStage.length}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Architecture(String description, int stemWidth, int[] widths, int[] blocksPerStage,
                               float dropout, long parameterCount) {
    }

    /** {@code x' = (x - mean) / std}, x in [0,1]. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Normalisation(float mean, float std) {
    }

    /**
     * Calibrated probability {@code p = sigmoid(a * logit + b)}. {@code method} is {@code "platt"}
     * (a temperature scaling is the special case b = 0, a = 1/T).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Calibration(String method, double a, double b) {
        public static Calibration identity() {
            return new Calibration("identity", 1.0, 0.0);
        }

        public double apply(double logit) {
            double z = a * logit + b;
            return 1.0 / (1.0 + Math.exp(-z));
        }
    }

    /** Operating point on the validation split at a given threshold. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record OperatingPoint(double threshold, double sensitivity, double specificity) {
    }

    /** Validation metrics (patient-disjoint validation split). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Metrics(String split, int positives, int negatives,
                          double auroc, double[] aurocCi95, double sensitivity, double[] sensitivityCi95,
                          double specificity, double[] specificityCi95, double ece,
                          List<OperatingPoint> operatingPoints, Integer refusedByGate) {
        public Metrics(String split, int positives, int negatives, double auroc, double[] aurocCi95,
                       double sensitivity, double[] sensitivityCi95, double specificity, double[] specificityCi95,
                       double ece, List<OperatingPoint> operatingPoints) {
            this(split, positives, negatives, auroc, aurocCi95, sensitivity, sensitivityCi95, specificity,
                    specificityCi95, ece, operatingPoints, null);
        }
    }

    /** Provenance of the training data. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TrainingData(String source, String attribution, String licence, String splitSha256,
                               int duplicatesRemoved, int trainImages, int trainPatients,
                               int validationImages, int validationPatients,
                               int trainNormal, int trainPneumonia, int validationNormal,
                               int validationPneumonia, long seed, Integer testImages, Integer testPatients,
                               Integer testNormal, Integer testPneumonia, String population) {
        public TrainingData(String source, String attribution, String licence, String splitSha256,
                            int duplicatesRemoved, int trainImages, int trainPatients, int validationImages,
                            int validationPatients, int trainNormal, int trainPneumonia, int validationNormal,
                            int validationPneumonia, long seed) {
            this(source, attribution, licence, splitSha256, duplicatesRemoved, trainImages, trainPatients,
                    validationImages, validationPatients, trainNormal, trainPneumonia, validationNormal,
                    validationPneumonia, seed, null, null, null, null, null);
        }
    }

    /**
     * The version the platform serves unless configured otherwise; every shipped version stays loadable.
     * Not a compile-time constant on purpose: callers read it at run time, so shipping a new default never leaves
     * a stale copy inlined in a class that was not recompiled.
     */
    public static final String DEFAULT_VERSION = String.valueOf("pneumonia-v3");

    /** Classpath folder of a shipped version, e.g. {@code alveolus/model/pneumonia-v3/}. */
    public static String shippedResource(String version) {
        if (version == null || !version.matches("[a-z0-9-]{1,40}")) {
            throw new IllegalArgumentException("not a model version: " + version);
        }
        return "alveolus/model/" + version + "/";
    }

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static ModelManifest read(InputStream in) throws IOException {
        return MAPPER.readValue(in, ModelManifest.class);
    }

    public static ModelManifest read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        }
    }

    public void write(Path file) throws IOException {
        MAPPER.writeValue(file.toFile(), this);
    }

    public String toJson() {
        try {
            return MAPPER.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True if {@code t} lies inside {@link #validatedThresholdRange()} (inclusive). */
    public boolean isThresholdValidated(double t) {
        return validatedThresholdRange != null && validatedThresholdRange.length == 2
                && t >= validatedThresholdRange[0] && t <= validatedThresholdRange[1];
    }

    public ModelManifest withCalibration(Calibration c, double newThreshold, double[] range, Metrics m) {
        return new ModelManifest(name, version, architecture, paramsFile, inputSize, normalisation, c,
                newThreshold, range, m, trainingData, createdAt, intensity, outputs, populations,
                defaultPopulation, applicability, intendedUse, trainingSources, pneumoniaLogits);
    }

    /** v2: per-population operating points; the top level mirrors the default population. */
    public ModelManifest withPopulations(java.util.Map<String, Population> pops, String defaultPop,
                                         Applicability gate, IntendedUse use) {
        Population d = pops.get(defaultPop);
        return new ModelManifest(name, version, architecture, paramsFile, inputSize, normalisation,
                d.calibration(), d.threshold(), d.validatedThresholdRange(),
                d.internalTest() != null ? d.internalTest() : d.validation(), trainingData, createdAt, intensity,
                outputs, pops, defaultPop, gate, use, trainingSources, pneumoniaLogits);
    }
}
