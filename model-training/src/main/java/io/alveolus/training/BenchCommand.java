package io.alveolus.training;

import ai.djl.engine.Engine;
import io.alveolus.model.PneumoniaModel;
import io.alveolus.model.Preprocessor;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * {@code bench}: single-image latency and batch throughput of {@link PneumoniaModel#predict(List)}, for every
 * shipped version side by side in one run (default v1 and the current default), or for one {@code --model DIR}.
 */
final class BenchCommand {

    private BenchCommand() {
    }

    static void run(Args a) throws Exception {
        int runs = a.getInt("runs", 50);
        int warmup = a.getInt("warmup", 10);
        int[] batches = a.getInts("batches", new int[] {1, 4, 8, 16});
        String modelArg = a.get("model", null);
        List<String> versions = modelArg != null ? List.of(modelArg)
                : List.of(a.get("versions", "pneumonia-v1,pneumonia-v2," + PneumoniaModel.DEFAULT_VERSION).split(","));
        versions = versions.stream().distinct().toList();
        List<BufferedImage> pool = images(a.get("data", null), Arrays.stream(batches).max().orElse(16));
        List<PneumoniaModel> models = new ArrayList<>();
        try {
            for (String v : versions) {
                models.add(modelArg != null ? PneumoniaModel.load(Path.of(v)) : PneumoniaModel.loadShipped(v));
            }
            System.out.printf("Engine %s %s, intra-op threads %s, inter-op %s, %d CPUs visible; models %s%n",
                    Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(),
                    System.getProperty("ai.djl.pytorch.num_threads"),
                    System.getProperty("ai.djl.pytorch.num_interop_threads"),
                    Runtime.getRuntime().availableProcessors(), versions);
            List<BufferedImage> one = List.of(pool.get(0));
            for (PneumoniaModel model : models) {
                for (int i = 0; i < warmup; i++) {
                    model.predict(one);
                }
            }
            for (PneumoniaModel model : models) {
                double[] single = new double[runs];
                for (int i = 0; i < runs; i++) {
                    long t = System.nanoTime();
                    model.predict(one);
                    single[i] = (System.nanoTime() - t) / 1e6;
                }
                System.out.printf("%s (input %d): single image latency (predict incl. preprocessing, gate + CAM):"
                                + " median %.2f ms, p90 %.2f ms over %d runs after %d warm-up%n",
                        model.manifest().version(), model.manifest().inputSize(), median(single), pct(single, 90),
                        runs, warmup);
            }
            System.out.println();
            System.out.println("predict() = preprocessing + one forward pass + CAM; forward = logits(...) on"
                    + " preprocessed input (no CAM). Models interleaved run by run, so load changes hit all alike.");
            System.out.println("model        | batch | predict ms/batch | predict ms/image | images/s | vs batch 1 |"
                    + " forward ms/image | forward vs first model");
            System.out.println("-------------|-------|------------------|------------------|----------|------------|"
                    + "------------------|-----------------------");
            double[] base = new double[models.size()];
            for (int b : batches) {
                List<BufferedImage> imgs = pool.subList(0, b);
                int n = Math.max(runs / 2, 8 * runs / b);
                double[][] t = new double[models.size()][n];
                double[][] f = new double[models.size()][n];
                float[][] pre = new float[models.size()][];
                for (int mi = 0; mi < models.size(); mi++) {
                    PneumoniaModel model = models.get(mi);
                    for (int i = 0; i < Math.max(2, warmup / 2); i++) {
                        model.predict(imgs);
                    }
                    int sz = model.manifest().inputSize();
                    pre[mi] = new float[b * sz * sz];
                    for (int k = 0; k < b; k++) {
                        System.arraycopy(model.preprocessor().apply(imgs.get(k)), 0, pre[mi], k * sz * sz, sz * sz);
                    }
                }
                for (int i = 0; i < n; i++) {
                    for (int mi = 0; mi < models.size(); mi++) {
                        long s = System.nanoTime();
                        models.get(mi).predict(imgs);
                        t[mi][i] = (System.nanoTime() - s) / 1e6;
                        s = System.nanoTime();
                        models.get(mi).logits(pre[mi], b);
                        f[mi][i] = (System.nanoTime() - s) / 1e6;
                    }
                }
                double first = median(f[0]) / b;
                for (int mi = 0; mi < models.size(); mi++) {
                    double med = median(t[mi]);
                    double fmed = median(f[mi]) / b;
                    double ips = b * 1000.0 / med;
                    if (base[mi] == 0) {
                        base[mi] = ips;
                    }
                    System.out.printf("%-12s | %5d | %16.2f | %16.2f | %8.1f | %9.2fx | %16.2f | %20.2fx%n",
                            models.get(mi).manifest().version(), b, med, med / b, ips, ips / base[mi], fmed,
                            fmed / first);
                }
            }
        } finally {
            models.forEach(PneumoniaModel::close);
        }
    }

    static List<BufferedImage> images(String dir, int n) throws Exception {
        Path root = dir != null ? Path.of(dir) : null;
        if (root == null) {
            try {
                root = Main.defaultKermany();
            } catch (IllegalArgumentException e) {
                root = null;
            }
        }
        List<BufferedImage> out = new ArrayList<>();
        if (root != null && Files.isDirectory(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.filter(Files::isRegularFile).filter(DataIndex::isImage).sorted().limit(n).toList()) {
                    out.add(Preprocessor.decode(p));
                }
            }
        }
        Random r = new Random(1);
        while (out.size() < n) { // synthetic fallback
            BufferedImage img = new BufferedImage(224, 224, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 224; y++) {
                for (int x = 0; x < 224; x++) {
                    img.getRaster().setSample(x, y, 0, r.nextInt(256));
                }
            }
            out.add(img);
        }
        return out;
    }

    static double median(double[] v) {
        return pct(v, 50);
    }

    static double pct(double[] v, double p) {
        double[] s = v.clone();
        Arrays.sort(s);
        return Metrics.percentile(s, p);
    }
}
