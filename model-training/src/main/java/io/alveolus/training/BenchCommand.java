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

/** {@code bench}: single-image latency and batch throughput of {@link PneumoniaModel#predict(List)}. */
final class BenchCommand {

    private BenchCommand() {
    }

    static void run(Args a) throws Exception {
        int runs = a.getInt("runs", 50);
        int warmup = a.getInt("warmup", 10);
        int[] batches = a.getInts("batches", new int[] {1, 4, 8, 16});
        String modelArg = a.get("model", null);
        List<BufferedImage> pool = images(a.get("data", null), Arrays.stream(batches).max().orElse(16));
        try (PneumoniaModel model = modelArg == null ? PneumoniaModel.loadShipped()
                : PneumoniaModel.load(Path.of(modelArg))) {
            System.out.printf("Model %s, input %d, engine %s %s, intra-op threads %s, inter-op %s, %d CPUs visible%n",
                    model.manifest().version(), model.manifest().inputSize(), Engine.getInstance().getEngineName(),
                    Engine.getInstance().getVersion(), System.getProperty("ai.djl.pytorch.num_threads"),
                    System.getProperty("ai.djl.pytorch.num_interop_threads"),
                    Runtime.getRuntime().availableProcessors());
            List<BufferedImage> one = List.of(pool.get(0));
            for (int i = 0; i < warmup; i++) {
                model.predict(one);
            }
            double[] single = new double[runs];
            for (int i = 0; i < runs; i++) {
                long t = System.nanoTime();
                model.predict(one);
                single[i] = (System.nanoTime() - t) / 1e6;
            }
            System.out.printf("Single image latency (predict incl. preprocessing + CAM): median %.2f ms,"
                    + " p90 %.2f ms over %d runs after %d warm-up%n", median(single), pct(single, 90), runs, warmup);
            System.out.println();
            System.out.println("batch | median ms/batch | median ms/image | images/s (median) | vs batch 1");
            System.out.println("------|-----------------|-----------------|-------------------|-----------");
            double base = 0;
            for (int b : batches) {
                List<BufferedImage> imgs = pool.subList(0, b);
                for (int i = 0; i < Math.max(2, warmup / 2); i++) {
                    model.predict(imgs);
                }
                int n = Math.max(10, runs * 4 / Math.max(1, b) / 2);
                double[] t = new double[n];
                for (int i = 0; i < n; i++) {
                    long s = System.nanoTime();
                    model.predict(imgs);
                    t[i] = (System.nanoTime() - s) / 1e6;
                }
                double med = median(t);
                double ips = b * 1000.0 / med;
                if (base == 0) {
                    base = ips;
                }
                System.out.printf("%5d | %15.2f | %15.2f | %17.1f | %8.2fx%n", b, med, med / b, ips, ips / base);
            }
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
