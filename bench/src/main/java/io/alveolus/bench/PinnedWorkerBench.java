package io.alveolus.bench;


import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The worker alone against the bare model, both pinned to the same core (issue 14, point 4; bench/worker-pinned.sh
 * runs the phases): {@code fill} uploads a warm-up queue and then the measured one while no worker runs; {@code drain}
 * waits for a worker started pinned to drain both and prints its rate over the measured images, between their first
 * and last completion; {@code bare} runs the model
 * alone in this process (to be started pinned to that core with one PyTorch thread).
 */
public final class PinnedWorkerBench {
    private PinnedWorkerBench() {
    }

    public static void main(String[] args) {
        try {
            Path data = Path.of(args[0]);
            int n = Integer.getInteger("images", 400);
            Path state = Path.of(System.getProperty("state", "bench/target/pinned-queue.txt"));
            switch (System.getProperty("phase", "")) {
                case "fill" -> fill(data, n, state);
                case "drain" -> drain(state);
                case "bare" -> bare(data);
                default -> throw new IllegalArgumentException("-Dphase=fill|drain|bare");
            }
            System.exit(0);
        } catch (Throwable e) {
            System.err.println("\npinned worker bench failed: " + e);
            System.exit(1);
        }
    }

    static void fill(Path data, int n, Path state) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        var device = PipelineBench.onboardBenchTenant("pinned-" + run);
        List<Path> files = PipelineBench.files(data, n);
        // a warm-up queue first, drained before the measured one (each partition is read in order): a freshly
        // started JVM on one core spends its first seconds compiling, which a worker running for days does not
        // (C2 still compiles 2-4 CPU ms per image after 1,800 images, bench/results/pipeline-stop23-*, and the
        // compiler threads share the pinned core: after 3,000 warm-up images the worker drained 147 images/s, after
        // 10,000 187, bench/results/worker-pinned-stop23-*)
        int warm = Integer.getInteger("warmup", 10000);
        System.out.printf("queueing %d warm-up + %d measured images for tenant %s while no worker runs%n", warm,
                files.size(), device.tenant());
        List<UUID> ids = new ArrayList<>();
        // the warm-up as tenants of its own, 2,000 images each: more in a minute than the plan's uploads per minute
        for (int done = 0, k = 0; done < warm; done += 2000, k++) {
            List<Path> warmFiles = new ArrayList<>();
            for (int i = done; i < Math.min(warm, done + 2000); i++) {
                warmFiles.add(files.get(i % files.size()));
            }
            String token = PipelineBench.onboardBenchTenant("pinned-" + run + "-w" + k).token();
            ids.addAll(PipelineBench.uploadAll(warmFiles, "PINNED-WARM-" + run, token, 4, 0));
        }
        ids.addAll(PipelineBench.uploadAll(files, "PINNED-" + run, device.token(), 4, 0));
        Files.createDirectories(state.toAbsolutePath().getParent());
        // first line: how many of the last completions are measured; then every queued id
        List<String> lines = new ArrayList<>(List.of(String.valueOf(files.size())));
        ids.forEach(id -> lines.add(id.toString()));
        Files.write(state, lines);
        System.out.printf("queued %d analyses (ids in %s)%n", ids.size(), state);
    }

    static void drain(Path state) throws Exception {
        List<String> lines = Files.readAllLines(state);
        int measured = Integer.parseInt(lines.get(0));
        List<UUID> ids = lines.subList(1, lines.size()).stream().map(UUID::fromString).toList();
        PipelineBench.await(ids);
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:15432/alveolus", "alveolus", "alveolus");
             var st = c.prepareStatement("select extract(epoch from completed_at) * 1000, status = 'COMPLETED'"
                     + " from analysis where id = any(?) order by completed_at")) {
            st.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            List<Double> at = new ArrayList<>();
            int completed = 0;
            try (var rs = st.executeQuery()) {
                while (rs.next()) {
                    at.add(rs.getDouble(1));
                    completed += rs.getBoolean(2) ? 1 : 0;
                }
            }
            // the last `measured` completions, whichever queue they came from: partitions drain unevenly, and the
            // start-up and JIT warm-up of the first ones is not the worker's throughput
            List<Double> tail = at.subList(Math.max(0, at.size() - measured), at.size());
            double seconds = (tail.get(tail.size() - 1) - tail.get(0)) / 1000.0;
            double rate = (tail.size() - 1) / seconds;
            System.out.printf("pinned worker drained %d queued images (%d COMPLETED); the last %d at %.1f images/s%n",
                    ids.size(), completed, tail.size(), rate);
            System.out.printf("PINNED_WORKER_RATE=%.2f%n", rate);
        }
    }

    static void bare(Path data) throws Exception {
        double rate = PipelineBench.bareModel(PipelineBench.files(data, 96));
        System.out.printf("bare model pinned (batch 8, decode excluded, median of 5): %.1f images/s%n", rate);
        System.out.printf("PINNED_BARE_RATE=%.2f%n", rate);
    }
}
