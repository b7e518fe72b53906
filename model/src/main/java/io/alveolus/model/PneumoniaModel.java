package io.alveolus.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The pneumonia classifier (DJL, PyTorch engine).
 *
 * <p><b>Thread safety:</b> all public methods are safe to call from several threads; {@code predict} is
 * {@code synchronized} (one forward pass at a time per instance — PyTorch already parallelises each
 * operator over its intra-op threads, set with {@code -Dai.djl.pytorch.num_threads=N}). Use one
 * instance per process, or several instances for concurrent forward passes.
 *
 * <p><b>Memory:</b> every call allocates its tensors in a child {@link NDManager} that is closed before the
 * call returns, so native memory stays flat however many calls are made. Close the model to free the weights.
 */
public final class PneumoniaModel implements AutoCloseable {

    /** Classpath folder of the shipped model. */
    public static final String SHIPPED_RESOURCE = ModelManifest.shippedResource(ModelManifest.DEFAULT_VERSION);
    /** Classpath root of all shipped versions ({@code <root><version>/manifest.json}). */
    public static final String SHIPPED_ROOT = "alveolus/model/";
    public static final String DEFAULT_VERSION = ModelManifest.DEFAULT_VERSION;

    private final ModelManifest manifest;
    private final Model model;
    private final Block features;
    private final Block head;
    private final Preprocessor preprocessor;
    /** Per output row of the last linear layer: its weights and bias (a population's CAM uses its logit's row). */
    private final float[][] camWeights;
    private final float[] camBias;
    private boolean closed;

    private PneumoniaModel(ModelManifest manifest, Model model) {
        this.manifest = manifest;
        this.model = model;
        SequentialBlock net = (SequentialBlock) model.getBlock();
        this.features = net.getChildren().get(0).getValue();
        this.head = net.getChildren().get(1).getValue();
        Linear linear = (Linear) head.getChildren().get(2).getValue();
        // weight is (outputs x C), row-major
        float[] wAll = linear.getParameters().get("weight").getArray().toFloatArray();
        int outputs = manifest.outputCount();
        int channels = wAll.length / outputs;
        this.camWeights = new float[outputs][];
        for (int o = 0; o < outputs; o++) {
            camWeights[o] = java.util.Arrays.copyOfRange(wAll, o * channels, (o + 1) * channels);
        }
        this.camBias = linear.getParameters().get("bias").getArray().toFloatArray();
        this.preprocessor = new Preprocessor(manifest);
    }

    /** Loads the default model shipped in this jar ({@link #SHIPPED_RESOURCE}). */
    public static PneumoniaModel loadShipped() {
        return loadShipped(DEFAULT_VERSION);
    }

    /** Loads a shipped model by version (e.g. {@code pneumonia-v1}), from {@link #SHIPPED_ROOT}. */
    public static PneumoniaModel loadShipped(String version) {
        return ModelBundle.shipped(version).load();
    }

    /** Loads {@code manifest.json} and its parameter file from a folder. */
    public static PneumoniaModel load(Path dir) {
        try {
            ModelManifest m = ModelManifest.read(dir.resolve("manifest.json"));
            Model model = Model.newInstance(m.version(), "PyTorch");
            try {
                model.setBlock(PneumoniaNet.build(m.architecture(), m.outputCount()));
                model.load(dir, prefixOf(m.paramsFile()));
                return new PneumoniaModel(m, model);
            } catch (RuntimeException | MalformedModelException | IOException e) {
                model.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot load model from " + dir, e);
        } catch (MalformedModelException e) {
            throw new IllegalStateException("Malformed model in " + dir + ": " + e.getMessage(), e);
        }
    }

    static String prefixOf(String paramsFile) {
        return paramsFile.replaceFirst("(-\\d{4})?\\.params$", "");
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public Preprocessor preprocessor() {
        return preprocessor;
    }

    /** One image, manifest threshold. */
    public Prediction predict(BufferedImage image) {
        return predict(List.of(image)).get(0);
    }

    /** Batched prediction with the default population's operating point. */
    public List<Prediction> predict(List<BufferedImage> images) {
        return predict(images, manifest.threshold());
    }

    /**
     * Batched prediction at one population's operating point (its calibration and threshold, or
     * {@code thresholdOverride} when not null). An unknown or null population uses the manifest's default.
     */
    public List<Prediction> predict(List<BufferedImage> images, String population, Double thresholdOverride) {
        return predictPrepared(images.stream().map(this::prepare).toList(), population, thresholdOverride);
    }

    /**
     * One image made ready for the network: its normalised input and its grey-level spread (for the gate's blank
     * check). Needs no engine and no lock, so callers run it on as many threads as they like, overlapped with the
     * forward pass of another batch: the host side of a GPU worker scales with its cores.
     */
    public Input prepare(BufferedImage image) {
        float[] unit = preprocessor.toUnitGrey(image);
        // one histogram serves the gate's spread, the window and the stored raw statistics (drift monitoring)
        GreyStats raw = Preprocessor.stats(unit);
        return new Input(preprocessor.fromUnitGrey(unit, raw), raw.spread(), raw);
    }

    /**
     * A prepared image ({@link #prepare}): {@code inputSize^2} normalised floats, the grey-level spread, and the
     * raw grey statistics before windowing (null when not computed, e.g. a bench's synthetic input).
     */
    public record Input(float[] pixels, double spread, GreyStats raw) {
        public Input(float[] pixels, double spread) {
            this(pixels, spread, null);
        }
    }

    /** {@link #predict(List, String, Double)} for images already {@link #prepare prepared}: one forward pass. */
    public List<Prediction> predictPrepared(List<Input> inputs, String population, Double thresholdOverride) {
        // the head is the requested population's even before its operating point exists (training's finish step
        // calibrates each population on its own head's logits)
        int head = manifest.pneumoniaLogit(population);
        ModelManifest.Population pop = manifest.population(population);
        if (pop == null) {
            String fallback = manifest.defaultPopulation();
            head = population != null && manifest.pneumoniaLogits() != null
                    && manifest.pneumoniaLogits().containsKey(population) ? head : manifest.pneumoniaLogit(fallback);
            population = fallback;
            pop = manifest.population(population);
        }
        ModelManifest.Calibration cal = pop == null ? manifest.calibration() : pop.calibration();
        double t = thresholdOverride != null ? thresholdOverride : pop == null ? manifest.threshold() : pop.threshold();
        return run(inputs, cal, t, population, head);
    }

    /**
     * Batched prediction: preprocesses all images and runs ONE forward pass.
     *
     * @param threshold decision threshold on the calibrated probability (e.g. a tenant override; callers
     *                  should keep it inside {@link ModelManifest#validatedThresholdRange()})
     */
    public List<Prediction> predict(List<BufferedImage> images, double threshold) {
        return run(images.stream().map(this::prepare).toList(), manifest.calibration(), threshold,
                manifest.defaultPopulation(), manifest.pneumoniaLogit(manifest.defaultPopulation()));
    }

    private List<Prediction> run(List<Input> inputs, ModelManifest.Calibration cal, double threshold,
                                 String population, int head) {
        if (inputs.isEmpty()) {
            return List.of();
        }
        long t0 = System.nanoTime();
        int s = manifest.inputSize();
        int n = inputs.size();
        float[] batch = new float[n * s * s];
        double[] spreads = new double[n];
        for (int i = 0; i < n; i++) {
            spreads[i] = inputs.get(i).spread();
            System.arraycopy(inputs.get(i).pixels(), 0, batch, i * s * s, s * s);
        }
        return predictPreprocessed(batch, n, cal, threshold, true, t0, spreads, population, head);
    }

    /** Raw logits for already preprocessed inputs ({@code n * inputSize^2} floats); no CAM. */
    public float[] logits(float[] preprocessed, int n) {
        String population = manifest.defaultPopulation();
        List<Prediction> p = predictPreprocessed(preprocessed, n, manifest.calibration(), manifest.threshold(), false,
                System.nanoTime(), null, population, manifest.pneumoniaLogit(population));
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) p.get(i).logit();
        }
        return out;
    }

    private synchronized List<Prediction> predictPreprocessed(float[] batch, int n, ModelManifest.Calibration cal,
                                                              double threshold, boolean withCam, long t0,
                                                              double[] spreads, String population, int zi) {
        if (closed) {
            throw new IllegalStateException("model is closed");
        }
        int s = manifest.inputSize();
        float[] logits;
        float[] fmap = null;
        int c = 0;
        int h = 0;
        int w = 0;
        try (NDManager sub = model.getNDManager().newSubManager()) {
            ParameterStore ps = new ParameterStore(sub, false);
            NDArray x = sub.create(batch, new Shape(n, 1, s, s));
            NDArray f = features.forward(ps, new NDList(x), false).singletonOrThrow();
            NDArray z = head.forward(ps, new NDList(f), false).singletonOrThrow();
            logits = z.toFloatArray();
            if (withCam) {
                Shape fs = f.getShape();
                c = (int) fs.get(1);
                h = (int) fs.get(2);
                w = (int) fs.get(3);
                fmap = f.toFloatArray();
            }
        }
        int outputs = manifest.outputCount();
        ModelManifest.Applicability gate = manifest.applicability();
        List<Prediction> out = new ArrayList<>(n);
        float[][] cams = new float[n][];
        if (withCam) {
            for (int i = 0; i < n; i++) {
                cams[i] = cam(fmap, i, c, h, w, zi);
            }
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        for (int i = 0; i < n; i++) {
            double z = logits[i * outputs + zi];
            double applicability = outputs > 1 ? 1.0 / (1.0 + Math.exp(-logits[i * outputs + 1])) : Double.NaN;
            String refused = null;
            if (gate != null && spreads != null && spreads[i] < gate.minSpread()) {
                refused = "blank or constant image";
            } else if (gate != null && outputs > 1 && applicability < gate.threshold()) {
                refused = "not a frontal chest radiograph like those the model was trained on";
            }
            double p = refused != null ? Double.NaN : cal.apply(z);
            out.add(new Prediction(p, refused == null && p >= threshold, threshold, z, cams[i], withCam ? w : 0,
                    withCam ? h : 0, ms, n, refused == null, refused, applicability, population));
        }
        return out;
    }

    /** CAM_i(y,x) = b + sum_c w_c F_i,c(y,x) at the feature map's resolution; {@link Heatmaps} renders it. */
    private float[] cam(float[] fmap, int i, int c, int h, int w, int logit) {
        float[] small = new float[h * w];
        float[] weights = camWeights[logit];
        int base = i * c * h * w;
        for (int k = 0; k < c; k++) {
            float wk = weights[k];
            int off = base + k * h * w;
            for (int j = 0; j < h * w; j++) {
                small[j] += wk * fmap[off + j];
            }
        }
        for (int j = 0; j < small.length; j++) {
            small[j] += camBias[logit];
        }
        return small;
    }

    /** RGBA PNG overlay of the prediction's CAM ({@code inputSize} square); see {@link Heatmaps}. */
    public byte[] heatmapPng(Prediction p) {
        return Heatmaps.png(p.camGrid(), p.camWidth(), p.camHeight(), manifest.inputSize());
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            model.close();
        }
    }

    static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
