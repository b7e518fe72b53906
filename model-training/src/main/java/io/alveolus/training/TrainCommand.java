package io.alveolus.training;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.alveolus.model.ModelManifest;
import io.alveolus.model.PneumoniaModel;
import io.alveolus.model.PneumoniaNet;
import io.alveolus.model.Preprocessor;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** {@code train}: dedupe, patient split, train with augmentation, early stopping, calibration, manifest. */
final class TrainCommand {

    static final String VERSION = "pneumonia-v1";
    static final String PARAMS = VERSION + "-0000.params";

    private TrainCommand() {
    }

    static void run(Args a) throws Exception {
        Path data = Path.of(a.require("data")).toAbsolutePath().normalize();
        Path out = Path.of(a.require("out")).toAbsolutePath().normalize();
        int epochs = a.getInt("epochs", 14);
        int batch = a.getInt("batch", 32);
        double lr = a.getDouble("lr", 1e-3);
        long seed = a.getLong("seed", 42);
        int patience = a.getInt("patience", 4);
        int limit = a.getInt("limit", 0);
        int logEvery = a.getInt("log-every", 20);
        int size = a.getInt("input", 224);
        int stem = a.getInt("stem", 16);
        int[] widths = a.getInts("widths", new int[] {16, 32, 64, 128});
        int[] blocks = a.getInts("blocks", new int[] {1, 1, 1, 1});
        float dropout = (float) a.getDouble("dropout", 0.2);
        double valFraction = a.getDouble("val-fraction", 0.2);
        double maxMinutes = a.getDouble("max-minutes", 0); // 0 = no wall-clock budget
        Files.createDirectories(out);

        System.out.printf("[data] listing %s%n", data);
        List<DataIndex.Sample> all = DataIndex.list(data);
        DataIndex.Listing dd = DataIndex.dedupe(data, all);
        Files.write(out.resolve("duplicates-removed.txt"), dd.removed(), StandardCharsets.UTF_8);
        DataIndex.Split split = DataIndex.split(dd.samples(), valFraction, seed);
        Files.writeString(out.resolve("split.tsv"), split.toTsv());
        System.out.printf("[data] %d images, %d duplicates removed; train %s, validation %s; split sha256 %s%n",
                all.size(), dd.duplicatesRemoved(), DataIndex.counts(split.train()),
                DataIndex.counts(split.validation()), split.sha256());

        List<DataIndex.Sample> train = new ArrayList<>(split.train());
        List<DataIndex.Sample> val = new ArrayList<>(split.validation());
        if (limit > 0) { // smoke runs only: subsample (split file above stays the full split)
            Random r = new Random(seed);
            Collections.shuffle(train, r);
            Collections.shuffle(val, r);
            train = train.subList(0, Math.min(limit, train.size()));
            val = val.subList(0, Math.min(Math.max(limit / 4, 32), val.size()));
        }

        long tLoad = System.nanoTime();
        Preprocessor unit = new Preprocessor(size, 0f, 1f);
        float[][] trainX = load(data, train, unit);
        float[][] valX = load(data, val, unit);
        int[] trainY = train.stream().mapToInt(DataIndex.Sample::label).toArray();
        int[] valY = val.stream().mapToInt(DataIndex.Sample::label).toArray();
        double sum = 0;
        double sq = 0;
        long cnt = 0;
        for (float[] x : trainX) {
            for (float v : x) {
                sum += v;
                sq += (double) v * v;
            }
            cnt += x.length;
        }
        float mean = (float) (sum / cnt);
        float std = (float) Math.sqrt(sq / cnt - (sum / cnt) * (sum / cnt));
        System.out.printf("[data] decoded %d+%d images in %.1f s; pixel mean %.4f std %.4f%n",
                trainX.length, valX.length, (System.nanoTime() - tLoad) / 1e9, mean, std);

        int nPos = (int) java.util.Arrays.stream(trainY).filter(y -> y == 1).count();
        int nNeg = trainY.length - nPos;
        float wPos = (float) trainY.length / (2f * nPos);
        float wNeg = (float) trainY.length / (2f * nNeg);
        System.out.printf("[loss] class-weighted BCE: w(pneumonia)=%.3f w(normal)=%.3f%n", wPos, wNeg);

        Engine.getInstance().setRandomSeed((int) seed);
        Random rnd = new Random(seed);
        Augment aug = Augment.standard();
        int stepsPerEpoch = (trainX.length + batch - 1) / batch;
        int totalSteps = stepsPerEpoch * epochs;
        // LR: linear warm-up, then cosine to lr/50. "steps" anneals over epochs x steps; "time" anneals over the
        // --max-minutes wall-clock budget (robust on shared CPUs whose speed varies; not bit-reproducible).
        String schedule = a.get("schedule", maxMinutes > 0 ? "time" : "steps");
        int warmSteps = Math.min(100, stepsPerEpoch);
        final long[] startNanos = {0};
        float[] currentLr = {(float) (lr / 10)};
        Tracker lrTracker = num -> currentLr[0];
        java.util.function.IntToDoubleFunction lrAt = step -> {
            if (step < warmSteps) {
                return lr / 10 + (lr - lr / 10) * step / warmSteps;
            }
            double frac = "time".equals(schedule)
                    ? (System.nanoTime() - startNanos[0]) / (maxMinutes * 60e9)
                    : (double) (step - warmSteps) / Math.max(1, totalSteps - warmSteps);
            frac = Math.min(1, Math.max(0, frac));
            return lr / 50 + (lr - lr / 50) * 0.5 * (1 + Math.cos(Math.PI * frac));
        };
        Adam adam = Adam.builder().optLearningRateTracker(lrTracker).optWeightDecays(1e-4f).build();

        Path ckpt = out.resolve("checkpoint");
        Files.createDirectories(ckpt);
        SequentialBlock net = PneumoniaNet.build(PneumoniaNet.describe(stem, widths, blocks, dropout, 0));
        long paramCount;
        double bestAuc = -1;
        int bestEpoch = -1;
        long tTrain = System.nanoTime();
        try (Model model = Model.newInstance(VERSION, "PyTorch");
             PrintWriter hist = new PrintWriter(Files.newBufferedWriter(out.resolve("history.csv")))) {
            model.setBlock(net);
            model.setProperty("Epoch", "0");
            DefaultTrainingConfig cfg = new DefaultTrainingConfig(Loss.sigmoidBinaryCrossEntropyLoss())
                    .optOptimizer(adam);
            hist.println("epoch,train_loss,val_loss,val_auroc,lr,seconds");
            try (Trainer trainer = model.newTrainer(cfg)) {
                trainer.initialize(new Shape(batch, 1, size, size));
                paramCount = 0;
                for (Pair<String, Parameter> p : net.getParameters()) {
                    paramCount += p.getValue().getArray().size();
                }
                System.out.printf("[model] %s; %,d parameters; input 1x%dx%d; %d steps/epoch x %d epochs,"
                                + " batch %d, Adam lr %.0e cosine (%s schedule), weight decay 1e-4, DJL threads %s%n",
                        PneumoniaNet.describe(stem, widths, blocks, dropout, paramCount).description(),
                        paramCount, size, size, stepsPerEpoch, epochs, batch, lr, schedule,
                        System.getProperty("ai.djl.pytorch.num_threads"));
                int sinceBest = 0;
                List<Double> epochSecs = new ArrayList<>();
                int globalStep = 0;
                startNanos[0] = System.nanoTime();
                for (int epoch = 1; epoch <= epochs; epoch++) {
                    long te = System.nanoTime();
                    List<Integer> order = new ArrayList<>();
                    for (int i = 0; i < trainX.length; i++) {
                        order.add(i);
                    }
                    Collections.shuffle(order, rnd);
                    double lossSum = 0;
                    int lossN = 0;
                    float[] img = new float[size * size];
                    for (int step = 0; step < stepsPerEpoch; step++) {
                        int from = step * batch;
                        int b = Math.min(batch, trainX.length - from);
                        float[] xb = new float[b * size * size];
                        float[] yb = new float[b];
                        float[] wb = new float[b];
                        for (int k = 0; k < b; k++) {
                            int idx = order.get(from + k);
                            aug.apply(trainX[idx], size, rnd, img);
                            for (int j = 0; j < img.length; j++) {
                                xb[k * img.length + j] = (img[j] - mean) / std;
                            }
                            yb[k] = trainY[idx];
                            wb[k] = trainY[idx] == 1 ? wPos : wNeg;
                        }
                        try (NDManager sub = trainer.getManager().newSubManager()) {
                            NDArray x = sub.create(xb, new Shape(b, 1, size, size));
                            NDArray y = sub.create(yb);
                            NDArray w = sub.create(wb);
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDArray z = trainer.forward(new NDList(x)).singletonOrThrow().reshape(b);
                                NDArray l = Activation.relu(z).sub(z.mul(y))
                                        .add(z.abs().neg().exp().add(1).log());
                                NDArray loss = l.mul(w).sum().div(b);
                                gc.backward(loss);
                                lossSum += loss.getFloat() * b;
                                lossN += b;
                            }
                            currentLr[0] = (float) lrAt.applyAsDouble(globalStep);
                            trainer.step();
                        }
                        globalStep++;
                        if ((step + 1) % logEvery == 0 || step == stepsPerEpoch - 1) {
                            double el = (System.nanoTime() - te) / 1e9;
                            double perStep = el / (step + 1);
                            double epochEta = perStep * (stepsPerEpoch - step - 1);
                            double avgEpoch = epochSecs.isEmpty() ? perStep * stepsPerEpoch
                                    : epochSecs.stream().mapToDouble(Double::doubleValue).average().orElse(0);
                            double totalEta = epochEta + avgEpoch * (epochs - epoch);
                            System.out.printf("epoch %d/%d step %d/%d loss %.4f lr %.2e %.2f s/step"
                                            + " | epoch ETA %s, run ETA <= %s%n", epoch, epochs, step + 1,
                                    stepsPerEpoch, lossSum / lossN, currentLr[0], perStep,
                                    fmt(epochEta), fmt(totalEta));
                        }
                    }
                    double[] vl = valLogits(net, trainer.getManager(), valX, mean, std, size, 64);
                    double auc = Metrics.auroc(vl, valY);
                    double vloss = weightedBce(vl, valY, wPos, wNeg);
                    double secs = (System.nanoTime() - te) / 1e9;
                    epochSecs.add(secs);
                    boolean improved = auc > bestAuc + 1e-4;
                    if (improved) {
                        bestAuc = auc;
                        bestEpoch = epoch;
                        sinceBest = 0;
                        model.save(ckpt, VERSION);
                    } else {
                        sinceBest++;
                    }
                    double avgEpoch = epochSecs.stream().mapToDouble(Double::doubleValue).average().orElse(0);
                    System.out.printf("== epoch %d/%d done in %s: train loss %.4f, val loss %.4f, val AUROC %.4f%s"
                                    + " (best %.4f @ %d), run ETA <= %s%n", epoch, epochs, fmt(secs),
                            lossSum / lossN, vloss, auc, improved ? " *saved*" : "", bestAuc, bestEpoch,
                            fmt(avgEpoch * (epochs - epoch)));
                    hist.printf("%d,%.5f,%.5f,%.5f,%.6f,%.1f%n", epoch, lossSum / lossN, vloss, auc,
                            currentLr[0], secs);
                    hist.flush();
                    if (sinceBest >= patience) {
                        System.out.printf("[early stop] no val AUROC gain for %d epochs%n", patience);
                        break;
                    }
                    double elapsedMin = (System.nanoTime() - tTrain) / 60e9;
                    if (maxMinutes > 0 && epoch < epochs && elapsedMin + avgEpoch / 60 > maxMinutes) {
                        System.out.printf("[time budget] %.1f min used, next epoch would exceed --max-minutes %.0f;"
                                + " stopping with the best checkpoint%n", elapsedMin, maxMinutes);
                        break;
                    }
                }
            }
        }
        double trainMinutes = (System.nanoTime() - tTrain) / 60e9;
        System.out.printf("[train] done in %.1f min; best val AUROC %.4f at epoch %d%n", trainMinutes, bestAuc,
                bestEpoch);

        // Provisional manifest, then score validation through the production path (decode + Preprocessor).
        Files.copy(ckpt.resolve(PARAMS), out.resolve(PARAMS), StandardCopyOption.REPLACE_EXISTING);
        int[] valCounts = {(int) val.stream().filter(s -> s.label() == 0).count(),
                (int) val.stream().filter(s -> s.label() == 1).count()};
        int[] trCounts = {(int) train.stream().filter(s -> s.label() == 0).count(),
                (int) train.stream().filter(s -> s.label() == 1).count()};
        ModelManifest.TrainingData td = new ModelManifest.TrainingData(
                "Kermany et al. paediatric chest X-ray (official TRAIN split, 224x224 JPEG): " + data.getFileName(),
                "Kermany D., Zhang K., Goldbaum M. et al., Identifying Medical Diagnoses and Treatable Diseases by"
                        + " Image-Based Deep Learning, Cell 172(5), 2018; Mendeley Data v2,"
                        + " doi:10.17632/rscbjbr9sj.2",
                "CC BY 4.0", split.sha256(), dd.duplicatesRemoved(), train.size(),
                (int) train.stream().map(DataIndex.Sample::patient).distinct().count(), val.size(),
                (int) val.stream().map(DataIndex.Sample::patient).distinct().count(),
                trCounts[0], trCounts[1], valCounts[0], valCounts[1], seed);
        ModelManifest provisional = new ModelManifest("pneumonia", VERSION,
                PneumoniaNet.describe(stem, widths, blocks, dropout, paramCount), PARAMS, size,
                new ModelManifest.Normalisation(mean, std), ModelManifest.Calibration.identity(), 0.5,
                new double[] {0, 1}, null, td, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        provisional.write(out.resolve("manifest.json"));
        Evaluation.Scored sc;
        try (PneumoniaModel pm = PneumoniaModel.load(out)) {
            sc = Evaluation.score(pm, data, val, 16, true);
        }
        ModelManifest fin = Calibrate.finish(provisional, sc.logits(), sc.labels());
        fin.write(out.resolve("manifest.json"));
        System.out.println("[manifest] " + out.resolve("manifest.json"));
        System.out.println(fin.toJson());

        if (a.flag("ship")) {
            Path repo = Main.repoRoot();
            Path res = repo.resolve("model/src/main/resources/alveolus/model/" + VERSION);
            Files.createDirectories(res);
            Files.copy(out.resolve(PARAMS), res.resolve(PARAMS), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(out.resolve("manifest.json"), res.resolve("manifest.json"), StandardCopyOption.REPLACE_EXISTING);
            Path sp = repo.resolve("model-training/src/main/resources/alveolus/training/" + VERSION);
            Files.createDirectories(sp);
            Files.copy(out.resolve("split.tsv"), sp.resolve("split.tsv"), StandardCopyOption.REPLACE_EXISTING);
            System.out.println("[ship] copied model to " + res + " and split to " + sp);
        }
    }

    static float[][] load(Path root, List<DataIndex.Sample> s, Preprocessor unit) {
        float[][] x = new float[s.size()][];
        java.util.stream.IntStream.range(0, s.size()).parallel().forEach(i ->
                x[i] = unit.toUnitGrey(Preprocessor.decode(root.resolve(s.get(i).rel()))));
        return x;
    }

    static double[] valLogits(SequentialBlock net, NDManager parent, float[][] xs, float mean, float std,
                              int size, int batch) {
        double[] out = new double[xs.length];
        for (int from = 0; from < xs.length; from += batch) {
            int b = Math.min(batch, xs.length - from);
            float[] xb = new float[b * size * size];
            for (int k = 0; k < b; k++) {
                float[] x = xs[from + k];
                for (int j = 0; j < x.length; j++) {
                    xb[k * x.length + j] = (x[j] - mean) / std;
                }
            }
            try (NDManager sub = parent.newSubManager()) {
                NDArray x = sub.create(xb, new Shape(b, 1, size, size));
                float[] z = net.forward(new ParameterStore(sub, false), new NDList(x), false)
                        .singletonOrThrow().toFloatArray();
                for (int k = 0; k < b; k++) {
                    out[from + k] = z[k];
                }
            }
        }
        return out;
    }

    static double weightedBce(double[] z, int[] y, double wPos, double wNeg) {
        double s = 0;
        for (int i = 0; i < z.length; i++) {
            double zz = y[i] == 1 ? -z[i] : z[i];
            s += (y[i] == 1 ? wPos : wNeg) * (Math.max(zz, 0) + Math.log1p(Math.exp(-Math.abs(zz))));
        }
        return s / z.length;
    }

    static String fmt(double sec) {
        long s = Math.round(sec);
        return String.format("%dm%02ds", s / 60, s % 60);
    }
}
