package io.alveolus.bench;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Fair sharing: hospital A (st-marys) floods the platform with routine studies while hospital B (northside)
 * sends urgent ones. Prints B's upload-to-COMPLETED latency (as recorded by the services) in three runs:
 * no flood; flood with B's urgent studies in the urgent lane (the mechanism); flood with B's urgent allowance
 * set to 0, so its studies queue in the routine lane behind A's (what the mechanism saves).
 */
public final class FairnessBench {
    static final String RESULTS = System.getProperty("results", "http://127.0.0.1:8083");

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/data/cxr-kermany224");
        int flood = Integer.parseInt(System.getProperty("flood", "2000"));
        int urgent = Integer.parseInt(System.getProperty("urgent", "20"));
        boolean queued = !"arriving".equals(System.getProperty("mode", "queued"));
        List<Path> files = PipelineBench.files(data, 5216);
        String run = UUID.randomUUID().toString().substring(0, 8);
        String operator = PipelineBench.token("grant_type=password&client_id=alveolus-cli&username=olga&password=alveolus");
        String a = PipelineBench.token(
                "grant_type=client_credentials&client_id=device-st-marys&client_secret=st-marys-device-secret");
        String b = PipelineBench.token(
                "grant_type=client_credentials&client_id=device-northside&client_secret=northside-device-secret");
        // A needs an upload rate that allows a flood; B keeps the standard plan's urgent allowance.
        subscription(operator, "st-marys", "{\"plan\":\"enterprise\",\"overrides\":{\"maxUploadsPerMinute\":1000000}}");
        subscription(operator, "northside", "{\"plan\":\"standard\"}");
        try {
            System.out.printf("== B alone: %d urgent studies, one every 500 ms ==%n", urgent);
            PipelineBench.Stats quiet = PipelineBench.await(urgentStudies(files, b, urgent, "BENCH-B-QUIET-" + run));
            quiet.print("B urgent, no flood");

            String how = queued ? "A's %d routine studies queued in Kafka while the worker drains them"
                    : "A uploads %d routine studies as fast as it can";
            System.out.printf("%n== " + how + "; B sends %d urgent studies (urgent lane) ==%n", flood, urgent);
            var laned = floodAndUrgent(files, a, b, flood, urgent, "LANE-" + run, queued);
            laned.print("B urgent, A flooding, urgent lane");

            subscription(operator, "northside", "{\"overrides\":{\"urgentPerMinute\":0}}");
            System.out.printf("%n== the same without the urgent lane (B's urgent allowance 0: B queues behind A) ==%n");
            var fifo = floodAndUrgent(files, a, b, flood, urgent, "FIFO-" + run, queued);
            fifo.print("B urgent, A flooding, routine lane");

            System.out.printf("%nsummary: B urgent p50/p95 %d/%d ms alone, %d/%d ms with A's flood of %d in the urgent "
                            + "lane (p95 %.1fx alone), %d/%d ms without the lane (%.1fx); flood %s%n",
                    quiet.p(50), quiet.p(95), laned.p(50), laned.p(95), flood, laned.p(95) / (double) quiet.p(95),
                    fifo.p(50), fifo.p(95), fifo.p(95) / (double) quiet.p(95), queued ? "queued" : "arriving");
        } finally {
            subscription(operator, "st-marys", "{\"plan\":\"standard\"}");
            subscription(operator, "northside", "{\"plan\":\"standard\"}");
        }
    }

    /**
     * queued: the worker is stopped while A's flood is uploaded (a burst that outran the fleet), then restarted, and
     * B sends its urgent studies while the backlog drains. arriving: A uploads while B sends, so both also compete
     * for ingest and the shared cores. Returns B's latencies; waits for A's flood too.
     */
    static PipelineBench.Stats floodAndUrgent(List<Path> files, String a, String b, int flood, int urgent, String tag,
                                              boolean queued) throws Exception {
        List<Path> floodFiles = new ArrayList<>();
        for (int i = 0; i < flood; i++) {
            floodFiles.add(files.get(i % files.size()));
        }
        CompletableFuture<List<UUID>> floodIds;
        if (queued) {
            services("stop");
            floodIds = CompletableFuture.completedFuture(PipelineBench.uploadAll(floodFiles, "BENCH-A-" + tag, a, 4, 0));
            services("start");
            Thread.sleep(3000); // the worker is working through the backlog
        } else {
            floodIds = CompletableFuture.supplyAsync(() -> {
                try {
                    return PipelineBench.uploadAll(floodFiles, "BENCH-A-" + tag, a, 4, 0);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(Math.min(20_000, flood * 5L)); // let A's backlog build up first
        }
        List<UUID> bIds = urgentStudies(files, b, urgent, "BENCH-B-" + tag);
        PipelineBench.Stats stats = PipelineBench.await(bIds);
        System.out.println("  (waiting for A's flood to drain)");
        PipelineBench.await(floodIds.get());
        return stats;
    }

    static void services(String action) throws Exception {
        Process p = new ProcessBuilder("bash", "stack/services.sh", action, "inference-worker").inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("stack/services.sh " + action + " inference-worker failed");
        }
    }

    static List<UUID> urgentStudies(List<Path> files, String token, int n, String prefix) throws Exception {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(PipelineBench.upload(files.get(files.size() - 1 - i), prefix + "-" + i, token, "URGENT"));
            Thread.sleep(500);
        }
        return ids;
    }

    static void subscription(String operator, String tenant, String body) throws Exception {
        var r = PipelineBench.HTTP.send(HttpRequest.newBuilder(URI.create(RESULTS + "/api/admin/tenants/" + tenant
                        + "/subscription")).header("Authorization", "Bearer " + operator)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("subscription change for " + tenant + " failed: " + r.statusCode() + " " + r.body());
        }
    }
}
