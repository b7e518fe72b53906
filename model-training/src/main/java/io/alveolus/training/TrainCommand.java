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
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code train} (v2 recipe): both sources, patient-disjoint three-way split per source, balanced sampling over
 * source x view x class, site-shift augmentation, percentile windowing, label smoothing for the noisy NIH labels,
 * an applicability head trained against synthetic non-applicable images, checkpoint by mean per-source
 * validation AUROC. Writes a provisional manifest; {@code finish} calibrates and scores it.
 */
final class TrainCommand {

    static final String VERSION = "pneumonia-v3";

    private TrainCommand() {
    }

    /** A source's label smoothing: NIH labels are text-mined from reports and noisy (DATA.md). */
    static double smoothing(String source) {
        return Cohort.NIH.equals(source) ? 0.15 : 0.03;
    }

    static void run(Args a) throws Exception {
        Path out = Path.of(a.require("out")).toAbsolutePath().normalize();
        String version = a.get("version", VERSION);
        int batch = a.getInt("batch", 32);
        double lr = a.getDouble("lr", 2e-3);
        long seed = a.getLong("seed", 42);
        int size = a.getInt("input", 224);
        int stem = a.getInt("stem", 20);
        int[] widths = a.getInts("widths", new int[] {20, 40, 80, 160});
        int[] blocks = a.getInts("blocks", new int[] {1, 1, 2, 1});
        float dropout = (float) a.getDouble("dropout", 0.2);
        double maxMinutes = a.getDouble("max-minutes", 90); // a cap: --max-steps ends a default run
        int evalEvery = a.getInt("eval-every", 150);
        int logEvery = a.getInt("log-every", 25);
        double oodFraction = a.getDouble("ood-fraction", 0.2);
        List<String> sources = List.of(a.get("sources", Cohort.KERMANY + "," + Cohort.NIH).split(","));
        // one pneumonia head per population: the adult decision is learnt from adult films only, so what tells
        // the paediatric classes apart (or tells a paediatric film from an adult one) is no shortcut for adults
        boolean perPopulation = switch (a.get("heads", "per-population")) {
            case "shared" -> false;
            case "per-population" -> true;
            default -> throw new IllegalArgumentException("--heads shared|per-population");
        };
        int maxSteps = a.getInt("max-steps", 3200); // 0: the wall-clock budget alone ends training
        boolean keepLast = switch (a.get("checkpoint", "last")) {
            case "best" -> false;
            case "last" -> true;
            default -> throw new IllegalArgumentException("--checkpoint best|last");
        };
        int cvFolds = a.getInt("cv-folds", 0);
        int cvFold = a.getInt("cv-fold", 0);
        int outputs = perPopulation ? 3 : 2;
        Files.createDirectories(out);

        // Data: per source a patient-disjoint train / validation / locked internal test split.
        Map<String, Path> roots = Main.sourceRoots(a);
        List<String> removed = new ArrayList<>();
        List<Map<String, List<Cohort.Item>>> perSource = new ArrayList<>();
        java.util.Set<String> gatePatients = PromotionGate.gatePatients();
        for (String src : List.of(Cohort.KERMANY, Cohort.NIH)) { // both split always: the split is one record
            List<Cohort.Item> items = Cohort.list(src, roots.get(src), removed);
            Map<String, List<Cohort.Item>> parts = Cohort.KERMANY.equals(src) ? Cohort.split(items, 0.15, 0.15, seed)
                    : Cohort.split(items, 0.2, 0.2, seed);
            // the promotion gate's patients are nobody's training or validation data: no weight, checkpoint,
            // calibration or threshold is chosen on them (PromotionGate); with the default seed they are all in
            // the validation part
            int gateImages = 0;
            for (List<Cohort.Item> part : parts.values()) {
                int before = part.size();
                part.removeIf(i -> gatePatients.contains(i.source() + ":" + i.patient()));
                gateImages += before - part.size();
            }
            System.out.printf("[data] %s: %d images are the promotion gate's, left out%n", src, gateImages);
            if (cvFolds > 0 && Cohort.NIH.equals(src)) {
                // design choice by cross-validation over the adult train + validation patients; test stays locked
                parts = Cohort.crossValidationFold(parts, cvFolds, cvFold, seed);
                System.out.printf("[data] cross-validation: NIH fold %d of %d is the validation part%n", cvFold + 1,
                        cvFolds);
            }
            perSource.add(parts);
        }
        Cohort.Split split = Cohort.merge(perSource);
        Files.write(out.resolve("duplicates-removed.txt"), removed, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("split.tsv"), split.toTsv());
        for (String src : List.of(Cohort.KERMANY, Cohort.NIH)) {
            System.out.printf("[data] %s: train %s, validation %s, internal test (locked) %s%n", src,
                    Cohort.counts(split.part(Cohort.TRAIN, src)), Cohort.counts(split.part(Cohort.VALIDATION, src)),
                    Cohort.counts(split.part(Cohort.TEST, src)));
        }
        System.out.printf("[data] %d duplicates removed; split sha256 %s; training on %s%n", removed.size(),
                split.sha256(), sources);
        List<Cohort.Item> train = new ArrayList<>(split.part(Cohort.TRAIN).stream()
                .filter(i -> sources.contains(i.source())).toList());
        String feedbackDir = a.get("data-feedback", null);
        if (feedbackDir != null) {
            // radiologist-reviewed studies of a feedback export: its training part only (the held-out patients are
            // the promotion gate's); each image trains its own population's head; recorded beside the split
            Path fd = Path.of(feedbackDir).toAbsolutePath().normalize();
            List<Cohort.Item> fb = FeedbackSet.training(fd);
            roots.put(FeedbackSet.SOURCE, fd);
            train.addAll(fb);
            Files.writeString(out.resolve("feedback-train.tsv"), new Cohort.Split(Map.of(Cohort.TRAIN, fb), "").toTsv());
            System.out.printf("[data] feedback export %s: training on %s (held out for the gate: %d %% of its"
                    + " patients)%n", fd, Cohort.counts(fb), FeedbackSet.HELD_OUT_PERCENT);
        }
        List<Cohort.Item> val = split.part(Cohort.VALIDATION);

        long tLoad = System.nanoTime();
        Preprocessor unit = new Preprocessor(size, 0f, 1f);
        float[][] trainX = load(roots, train, unit);
        float[][] valX = load(roots, val, unit);
        // mean/std of the windowed training images (the network sees windowed input only)
        double sum = 0;
        double sq = 0;
        long cnt = 0;
        for (float[] x0 : trainX) {
            float[] x = Preprocessor.window(x0.clone());
            for (float v : x) {
                sum += v;
                sq += (double) v * v;
            }
            cnt += x.length;
        }
        float mean = (float) (sum / cnt);
        float std = (float) Math.sqrt(sq / cnt - (sum / cnt) * (sum / cnt));
        Preprocessor prep = new Preprocessor(size, mean, std, Preprocessor.PERCENTILE_WINDOW);
        float[][] valIn = new float[valX.length][];
        for (int i = 0; i < valX.length; i++) {
            valIn[i] = prep.fromUnitGrey(valX[i].clone());
        }
        System.out.printf("[data] decoded %d+%d images in %.1f s; windowed pixel mean %.4f std %.4f%n",
                trainX.length, valX.length, (System.nanoTime() - tLoad) / 1e9, mean, std);

        // Balanced sampling: every source equally, inside a source every view equally, inside a view every class
        // equally: no source, projection or prevalence is a shortcut to the label.
        Map<String, Map<String, Map<Integer, List<Integer>>>> cells = new TreeMap<>();
        for (int i = 0; i < train.size(); i++) {
            Cohort.Item it = train.get(i);
            cells.computeIfAbsent(it.source(), k -> new TreeMap<>())
                    .computeIfAbsent(it.view().isEmpty() ? "?" : it.view(), k -> new TreeMap<>())
                    .computeIfAbsent(it.label(), k -> new ArrayList<>()).add(i);
        }
        cells.forEach((src, views) -> views.forEach((v, byLabel) -> System.out.printf(
                "[sampling] cell %s/%s: normal %d, pneumonia %d%n", src, v,
                byLabel.getOrDefault(0, List.of()).size(), byLabel.getOrDefault(1, List.of()).size())));
        List<String> srcKeys = new ArrayList<>(cells.keySet());

        Engine.getInstance().setRandomSeed((int) seed);
        Random rnd = new Random(seed);
        Augment aug = Augment.siteShift();
        int warmSteps = 100;
        final long[] startNanos = {0};
        float[] currentLr = {(float) (lr / 10)};
        Tracker lrTracker = num -> currentLr[0];
        // LR: linear warm-up, then cosine to lr/50 over the wall-clock budget (robust on shared CPUs)
        java.util.function.IntToDoubleFunction lrAt = step -> {
            if (step < warmSteps) {
                return lr / 10 + (lr - lr / 10) * step / warmSteps;
            }
            double frac = (System.nanoTime() - startNanos[0]) / (maxMinutes * 60e9);
            if (maxSteps > 0) {
                frac = Math.max(frac, step / (double) maxSteps);
            }
            frac = Math.min(1, Math.max(0, frac));
            return lr / 50 + (lr - lr / 50) * 0.5 * (1 + Math.cos(Math.PI * frac));
        };
        Adam adam = Adam.builder().optLearningRateTracker(lrTracker).optWeightDecays(1e-4f).build();

        Path ckpt = out.resolve("checkpoint");
        Files.createDirectories(ckpt);
        String params = version + "-0000.params";
        ModelManifest.Architecture arch0 = PneumoniaNet.describe(stem, widths, blocks, dropout, 0);
        SequentialBlock net = PneumoniaNet.build(arch0, outputs);
        long paramCount;
        double bestScore = -1;
        int bestStep = -1;
        long tTrain = System.nanoTime();
        int nOod = (int) Math.round(batch * oodFraction);
        int nReal = batch - nOod;
        try (Model model = Model.newInstance(version, "PyTorch");
             PrintWriter hist = new PrintWriter(Files.newBufferedWriter(out.resolve("history.csv")))) {
            model.setBlock(net);
            model.setProperty("Epoch", "0");
            DefaultTrainingConfig cfg = new DefaultTrainingConfig(Loss.sigmoidBinaryCrossEntropyLoss())
                    .optOptimizer(adam);
            hist.println("step,samples,train_loss,gate_loss,val_auroc_kermany,val_auroc_nih,val_gate_refused,lr,minutes");
            System.out.printf("[model] pneumonia heads: %s; checkpoint: %s%s%n", perPopulation
                            ? "one per population (logit 0 paediatric / Kermany, logit 2 adult / NIH)" : "shared",
                    keepLast ? "the last step (no choice among noisy validation peaks)" : "best mean validation AUROC",
                    maxSteps > 0 ? "; at most " + maxSteps + " steps" : "");
            try (Trainer trainer = model.newTrainer(cfg)) {
                trainer.initialize(new Shape(batch, 1, size, size));
                paramCount = 0;
                for (Pair<String, Parameter> p : net.getParameters()) {
                    paramCount += p.getValue().getArray().size();
                }
                System.out.printf("[model] %s; %,d parameters; input 1x%dx%d; batch %d (%d radiographs + %d"
                                + " synthetic non-applicable), Adam lr %.0e, cosine over %.0f min, weight decay 1e-4,"
                                + " DJL threads %s%n", describe(stem, widths, blocks, dropout, paramCount, outputs).description(),
                        paramCount, size, size, batch, nReal, nOod, lr, maxMinutes,
                        System.getProperty("ai.djl.pytorch.num_threads"));
                double lossSum = 0;
                double gateSum = 0;
                int lossN = 0;
                startNanos[0] = System.nanoTime();
                long tBlock = System.nanoTime();
                for (int step = 0; ; step++) {
                    // one seed per sample, drawn in order: the batch is the same however the threads run
                    long[] seeds = new long[batch];
                    int[] idx = new int[batch];
                    for (int k = 0; k < batch; k++) {
                        Map<String, Map<Integer, List<Integer>>> views = cells.get(srcKeys.get(rnd.nextInt(srcKeys.size())));
                        List<String> vk = new ArrayList<>(views.keySet());
                        Map<Integer, List<Integer>> byLabel = views.get(vk.get(rnd.nextInt(vk.size())));
                        List<Integer> cell = byLabel.get(rnd.nextInt(2));
                        if (cell == null || cell.isEmpty()) {
                            cell = byLabel.values().iterator().next();
                        }
                        idx[k] = cell.get(rnd.nextInt(cell.size()));
                        seeds[k] = rnd.nextLong();
                    }
                    float[] xb = new float[batch * size * size];
                    float[] yb = new float[batch];
                    float[] mb = new float[batch]; // 1 = radiograph (pneumonia loss applies)
                    float[] hb = new float[batch]; // per-population heads: 1 = the adult head's sample
                    java.util.stream.IntStream.range(0, batch).parallel().forEach(k -> {
                        Random r = new Random(seeds[k]);
                        float[] img = new float[size * size];
                        if (k < nReal) {
                            aug.apply(trainX[idx[k]], size, r, img);
                            Cohort.Item it = train.get(idx[k]);
                            double e = smoothing(it.source());
                            yb[k] = (float) (it.label() == 1 ? 1 - e : e);
                            mb[k] = 1;
                            hb[k] = Cohort.NIH.equals(it.source()) || FeedbackSet.SOURCE.equals(it.source())
                                    && Cohort.ADULT.equals(it.population()) ? 1 : 0;
                        } else {
                            float[] base = new float[size * size];
                            aug.apply(trainX[idx[k]], size, r, base);
                            img = Synthetic.make(base, size, r);
                        }
                        System.arraycopy(prep.fromUnitGrey(img), 0, xb, k * size * size, size * size);
                    });
                    try (NDManager sub = trainer.getManager().newSubManager()) {
                        NDArray x = sub.create(xb, new Shape(batch, 1, size, size));
                        NDArray y = sub.create(yb);
                        NDArray m = sub.create(mb);
                        NDArray adultHead = sub.create(hb);
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDArray z = trainer.forward(new NDList(x)).singletonOrThrow().reshape(batch, outputs);
                            NDArray zp = z.get(":, 0");
                            if (perPopulation) { // each radiograph's loss on its own population's head
                                zp = zp.mul(adultHead.neg().add(1)).add(z.get(":, 2").mul(adultHead));
                            }
                            NDArray zg = z.get(":, 1");
                            NDArray lp = bce(zp, y).mul(m).sum().div(nReal);
                            NDArray lg = bce(zg, m).mean();
                            NDArray loss = lp.add(lg.mul(0.5));
                            gc.backward(loss);
                            lossSum += lp.getFloat() * nReal;
                            gateSum += lg.getFloat() * batch;
                            lossN += nReal;
                        }
                        currentLr[0] = (float) lrAt.applyAsDouble(step);
                        trainer.step();
                    }
                    double elapsedMin = (System.nanoTime() - tTrain) / 60e9;
                    boolean last = elapsedMin >= maxMinutes || (maxSteps > 0 && step + 1 >= maxSteps);
                    if ((step + 1) % logEvery == 0) {
                        System.out.printf("step %d loss %.4f gate %.4f lr %.2e %.2f s/step, %.1f of %.0f min%n",
                                step + 1, lossSum / lossN, gateSum / (lossN * (double) batch / nReal), currentLr[0],
                                (System.nanoTime() - tBlock) / 1e9 / logEvery, elapsedMin, maxMinutes);
                        tBlock = System.nanoTime();
                    }
                    if ((step + 1) % evalEvery == 0 || last) {
                        double[][] z = valOutputs(net, trainer.getManager(), valIn, size, 64, outputs);
                        Map<String, Double> auc = new TreeMap<>();
                        int refused = 0;
                        for (String src : List.of(Cohort.KERMANY, Cohort.NIH)) {
                            List<Double> zs = new ArrayList<>();
                            List<Integer> ys = new ArrayList<>();
                            for (int i = 0; i < val.size(); i++) {
                                if (val.get(i).source().equals(src)) {
                                    zs.add(z[i][perPopulation && Cohort.NIH.equals(src) ? 2 : 0]);
                                    ys.add(val.get(i).label());
                                }
                            }
                            auc.put(src, Metrics.auroc(zs.stream().mapToDouble(Double::doubleValue).toArray(),
                                    ys.stream().mapToInt(Integer::intValue).toArray()));
                        }
                        for (double[] zi : z) {
                            refused += zi[1] < 0 ? 1 : 0;
                        }
                        // checkpoint: mean validation AUROC of the trained sources, each source weighted equally
                        double score = sources.stream().mapToDouble(auc::get).average().orElse(0);
                        boolean improved = keepLast ? last : score > bestScore + 1e-4;
                        if (improved) {
                            bestScore = score;
                            bestStep = step + 1;
                            model.save(ckpt, version);
                        }
                        System.out.printf("== step %d (%d samples, %.1f min): train loss %.4f, val AUROC kermany %.4f"
                                        + " nih %.4f, gate refuses %d of %d val radiographs%s (best %.4f @ %d)%n",
                                step + 1, (step + 1) * batch, elapsedMin, lossSum / lossN, auc.get(Cohort.KERMANY),
                                auc.get(Cohort.NIH), refused, val.size(), improved ? " *saved*" : "", bestScore,
                                bestStep);
                        hist.printf("%d,%d,%.5f,%.5f,%.5f,%.5f,%d,%.6f,%.2f%n", step + 1, (step + 1) * batch,
                                lossSum / lossN, gateSum / (lossN * (double) batch / nReal), auc.get(Cohort.KERMANY),
                                auc.get(Cohort.NIH), refused, currentLr[0], elapsedMin);
                        hist.flush();
                        lossSum = 0;
                        gateSum = 0;
                        lossN = 0;
                    }
                    if (last) {
                        break;
                    }
                }
            }
        }
        double trainMinutes = (System.nanoTime() - tTrain) / 60e9;
        System.out.printf("[train] done in %.1f min; best mean val AUROC %.4f at step %d%n", trainMinutes, bestScore,
                bestStep);

        // Provisional manifest (no calibration yet): `finish` calibrates per population and scores the test split.
        Files.copy(ckpt.resolve(params), out.resolve(params), StandardCopyOption.REPLACE_EXISTING);
        List<ModelManifest.TrainingData> td = new ArrayList<>();
        for (String src : List.of(Cohort.KERMANY, Cohort.NIH)) {
            if (sources.contains(src)) {
                td.add(trainingData(src, roots.get(src), split, removed, seed));
            }
        }
        ModelManifest provisional = new ModelManifest("pneumonia", version,
                describe(stem, widths, blocks, dropout, paramCount, outputs), params, size,
                new ModelManifest.Normalisation(mean, std), ModelManifest.Calibration.identity(), 0.5,
                new double[] {0, 1}, null, td.get(0), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                Preprocessor.PERCENTILE_WINDOW, outputs, null, null, null, null, td,
                perPopulation ? Map.of(Cohort.PAEDIATRIC, 0, Cohort.ADULT, 2) : null);
        provisional.write(out.resolve("manifest.json"));
        Files.writeString(out.resolve("training-time.txt"), String.format(java.util.Locale.ROOT,
                "%.1f minutes of training (best checkpoint at step %d of batch %d) on %d cores, %s%n", trainMinutes,
                bestStep, batch, Runtime.getRuntime().availableProcessors(), System.getProperty("os.arch")));
        System.out.println("[manifest] provisional " + out.resolve("manifest.json") + "; next: finish --run " + out);
    }

    static ModelManifest.Architecture describe(int stem, int[] widths, int[] blocks, float dropout, long n,
                                               int outputs) {
        ModelManifest.Architecture a = PneumoniaNet.describe(stem, widths, blocks, dropout, n);
        return new ModelManifest.Architecture(a.description().replace("linear -> 1 pneumonia logit", outputs == 3
                ? "linear -> 3 logits (paediatric pneumonia, applicability, adult pneumonia)"
                : "linear -> 2 logits (pneumonia, applicability)"), a.stemWidth(), a.widths(), a.blocksPerStage(),
                a.dropout(), a.parameterCount());
    }

    static ModelManifest.TrainingData trainingData(String src, Path root, Cohort.Split split, List<String> removed,
                                                   long seed) {
        List<Cohort.Item> tr = split.part(Cohort.TRAIN, src);
        List<Cohort.Item> va = split.part(Cohort.VALIDATION, src);
        List<Cohort.Item> te = split.part(Cohort.TEST, src);
        boolean k = Cohort.KERMANY.equals(src);
        String desc = k ? "Kermany et al. paediatric chest X-ray (official TRAIN split, 224x224 JPEG), children 1-5: "
                : "NIH ChestX-ray14 adult frontal radiographs (AP/PA, 512x512 JPEG; text-mined labels): ";
        String attribution = k ? "Kermany D., Zhang K., Goldbaum M. et al., Identifying Medical Diagnoses and"
                + " Treatable Diseases by Image-Based Deep Learning, Cell 172(5), 2018; Mendeley Data v2,"
                + " doi:10.17632/rscbjbr9sj.2"
                : "Wang X., Peng Y., Lu L., Lu Z., Bagheri M., Summers R.M., ChestX-ray8: Hospital-scale Chest X-ray"
                + " Database and Benchmarks on Weakly-Supervised Classification and Localization of Common Thorax"
                + " Diseases, IEEE CVPR 2017; data provided by the NIH Clinical Center,"
                + " https://nihcc.app.box.com/v/ChestXray-NIHCC";
        int dups = (int) removed.stream().filter(r -> r.startsWith(src + "/")).count();
        return new ModelManifest.TrainingData(desc + root.getFileName(), attribution,
                k ? "CC BY 4.0" : "NIH: no restrictions on use (attribution required)", split.sha256(), dups,
                tr.size(), patients(tr), va.size(), patients(va), count(tr, 0), count(tr, 1), count(va, 0),
                count(va, 1), seed, te.size(), patients(te), count(te, 0), count(te, 1),
                k ? Cohort.PAEDIATRIC : Cohort.ADULT);
    }

    private static int patients(List<Cohort.Item> l) {
        return (int) l.stream().map(Cohort.Item::patient).distinct().count();
    }

    private static int count(List<Cohort.Item> l, int label) {
        return (int) l.stream().filter(i -> i.label() == label).count();
    }

    /** Numerically stable binary cross-entropy with logits, per element (targets may be smoothed). */
    static NDArray bce(NDArray z, NDArray y) {
        return Activation.relu(z).sub(z.mul(y)).add(z.abs().neg().exp().add(1).log());
    }

    static float[][] load(Map<String, Path> roots, List<Cohort.Item> s, Preprocessor unit) {
        float[][] x = new float[s.size()][];
        java.util.stream.IntStream.range(0, s.size()).parallel().forEach(i -> x[i] = unit.toUnitGrey(
                Evaluation.decode(roots.get(s.get(i).source()).resolve(s.get(i).rel()))));
        return x;
    }

    /** Both logits per image, for already preprocessed inputs. */
    static double[][] valOutputs(SequentialBlock net, NDManager parent, float[][] xs, int size, int batch,
                                 int outputs) {
        double[][] out = new double[xs.length][];
        for (int from = 0; from < xs.length; from += batch) {
            int b = Math.min(batch, xs.length - from);
            float[] xb = new float[b * size * size];
            for (int k = 0; k < b; k++) {
                System.arraycopy(xs[from + k], 0, xb, k * size * size, size * size);
            }
            try (NDManager sub = parent.newSubManager()) {
                NDArray x = sub.create(xb, new Shape(b, 1, size, size));
                float[] z = net.forward(new ParameterStore(sub, false), new NDList(x), false)
                        .singletonOrThrow().toFloatArray();
                for (int k = 0; k < b; k++) {
                    out[from + k] = new double[outputs];
                    for (int o = 0; o < outputs; o++) {
                        out[from + k][o] = z[outputs * k + o];
                    }
                }
            }
        }
        return out;
    }
}
