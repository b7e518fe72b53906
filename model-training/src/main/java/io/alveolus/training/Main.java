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
                case "finish" -> FinishCommand.run(new Args(args, 1, Set.of("ship")));
                case "evaluate" -> EvaluateCommand.run(new Args(args, 1, Set.of()));
                case "bench" -> BenchCommand.run(new Args(args, 1, Set.of()));
                case "gate" -> {
                    if (!PromotionGate.run(new Args(args, 1, Set.of())).accepted()) {
                        System.exit(3); // refused: scripts and CI can tell a refusal from an error (2)
                    }
                }
                case "gate-split" -> {
                    Path out = Path.of(new Args(args, 1, Set.of()).get("out", repoRoot().resolve(
                            "model-training/src/main/resources/" + PromotionGate.GATE_SPLIT_RESOURCE).toString()));
                    Files.writeString(out, PromotionGate.deriveGateSplit());
                    System.out.println("Gate split written to " + out + " (sha256 "
                            + DataIndex.sha256(Files.readAllBytes(out)) + ")");
                }
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
                  train    --out RUN_DIR [--data-kermany DIR] [--data-nih DIR] [--sources kermany,nih]
                           [--max-steps 3200] [--max-minutes 90] [--batch 32] [--lr 2e-3] [--seed 42]
                           [--input 224] [--widths 20,40,80,160] [--blocks 1,1,2,1] [--version pneumonia-v3]
                           [--heads shared|per-population] [--checkpoint last|best]
                           [--cv-folds K --cv-fold I]   (cross-validation over NIH train+validation)
                           [--data-feedback EXPORT_DIR]  (an unpacked feedback export: its training part)
                  finish   --run RUN_DIR [--gate-testset DIR] [--ship]
                  evaluate --split validation|test [--population paediatric|adult] [--source kermany|nih]
                           [--split-file split.tsv] [--model MODEL_DIR | --version pneumonia-v1]
                  evaluate --data DIR_WITH_NORMAL_AND_PNEUMONIA [--population paediatric|adult] [--model DIR]
                  evaluate --applicability DIR   (the gate only: prints refused N of M)
                           [--report out.json] [--batch 16] [--bootstrap 1000] [--seed 42]
                  bench    [--model MODEL_DIR] [--runs 50] [--data DIR]
                  gate     (--candidate MODEL_DIR | --candidate-version V) [--active MODEL_DIR | --active-version V]
                           [--gate-split FILE] [--feedback EXPORT_DIR | --feedback DIR --feedback-population P]
                           [--bootstrap 2000] [--seed 42] [--report gate.json]
                           the promotion gate: exit 0 accepted, 3 refused, printing the paired comparison
                  gate-split [--out FILE]   (re-derives the recorded gate split from pneumonia-v3's validation part)
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
        return prop != null ? Path.of(prop) : defaultData("cxr-kermany224");
    }

    /** shared/data/NAME next to (or inside) a parent of user.dir. */
    static Path defaultData(String name) {
        for (Path p : startDirs()) {
            for (Path q = p; q != null; q = q.getParent()) {
                for (Path c : new Path[] {q.resolve("shared/data/" + name),
                        q.resolveSibling("shared").resolve("data/" + name)}) {
                    if (Files.isDirectory(c)) {
                        return c;
                    }
                }
            }
        }
        throw new IllegalArgumentException("Cannot find shared/data/" + name + "; pass its folder");
    }

    /** The source folders: --data-kermany / --data-nih, by default shared/data/cxr-kermany224 and cxr-nih-adult512. */
    static java.util.Map<String, Path> sourceRoots(Args a) {
        java.util.Map<String, Path> m = new java.util.LinkedHashMap<>();
        m.put(Cohort.KERMANY, Path.of(a.get("data-kermany", defaultKermany().toString())).toAbsolutePath().normalize());
        m.put(Cohort.NIH, Path.of(a.get("data-nih", defaultData("cxr-nih-adult512").toString())).toAbsolutePath()
                .normalize());
        return m;
    }
}
