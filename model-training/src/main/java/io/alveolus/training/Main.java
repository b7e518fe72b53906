package io.alveolus.training;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

/**
 * Alveolus model CLI.
 * <pre>
 *   train    --data DIR --out RUN_DIR [--epochs 14 --batch 32 --lr 1e-3 --seed 42 --patience 4 --ship ...]
 *   evaluate --data DIR [--model MODEL_DIR] [--report out.json]
 *   evaluate --split validation [--data KERMANY_DIR] [--split-file split.tsv] [--model MODEL_DIR] [--report out.json]
 *   bench    [--model MODEL_DIR] [--runs 50] [--data DIR]
 * </pre>
 * DJL intra-op threads default to 2 here ({@code -Dai.djl.pytorch.num_threads} overrides).
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || Set.of("-h", "--help", "help").contains(args[0])) {
            usage();
            return;
        }
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        System.setProperty("ai.djl.pytorch.num_threads", System.getProperty("ai.djl.pytorch.num_threads", "2"));
        System.setProperty("ai.djl.pytorch.num_interop_threads",
                System.getProperty("ai.djl.pytorch.num_interop_threads", "1"));
        String cmd = args[0];
        try {
            switch (cmd) {
                case "train" -> TrainCommand.run(new Args(args, 1, Set.of("ship")));
                case "evaluate" -> EvaluateCommand.run(new Args(args, 1, Set.of()));
                case "bench" -> BenchCommand.run(new Args(args, 1, Set.of()));
                default -> {
                    System.err.println("Unknown command " + cmd + "; args " + Arrays.toString(args));
                    usage();
                    System.exit(2);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }

    static void usage() {
        System.out.println("""
                usage: alveolus-model <command> [options]
                  train    --data DIR --out RUN_DIR [--epochs 14] [--batch 32] [--lr 1e-3] [--seed 42]
                           [--patience 4] [--input 224] [--widths 16,32,64,128] [--blocks 1,1,1,1] [--limit N] [--ship]
                  evaluate --data DIR_WITH_NORMAL_AND_PNEUMONIA [--model MODEL_DIR (default: shipped)]
                           [--report out.json] [--batch 16] [--bootstrap 1000] [--seed 42]
                  evaluate --split validation [--data KERMANY_TRAIN_DIR] [--split-file split.tsv] [--model DIR]
                  bench    [--model MODEL_DIR] [--runs 50] [--data DIR]
                """);
    }

    /** The repository root: the nearest folder upwards from user.dir holding model/pom.xml. */
    static Path repoRoot() {
        for (Path p : startDirs()) {
            for (Path q = p; q != null; q = q.getParent()) {
                if (Files.exists(q.resolve("model/pom.xml")) && Files.exists(q.resolve("model-training/pom.xml"))) {
                    return q;
                }
            }
        }
        throw new IllegalStateException("Cannot find the repository root above " + startDirs());
    }

    /** user.dir, then -Dalveolus.repo (set by run.sh) so that the scripts work from any directory. */
    static java.util.List<Path> startDirs() {
        java.util.List<Path> l = new java.util.ArrayList<>();
        l.add(Path.of(System.getProperty("user.dir")).toAbsolutePath());
        String repo = System.getProperty("alveolus.repo");
        if (repo != null) {
            l.add(Path.of(repo).toAbsolutePath());
        }
        return l;
    }

    /** shared/data/cxr-kermany224 next to (or inside) a parent of user.dir, or -Dalveolus.data. */
    static Path defaultKermany() {
        String prop = System.getProperty("alveolus.data");
        if (prop != null) {
            return Path.of(prop);
        }
        for (Path p : startDirs()) {
            for (Path q = p; q != null; q = q.getParent()) {
                for (Path c : new Path[] {q.resolve("shared/data/cxr-kermany224"),
                        q.resolveSibling("shared").resolve("data/cxr-kermany224")}) {
                    if (Files.isDirectory(c)) {
                        return c;
                    }
                }
            }
        }
        throw new IllegalArgumentException("Cannot find shared/data/cxr-kermany224; pass --data");
    }
}
