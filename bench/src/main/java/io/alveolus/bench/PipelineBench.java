package io.alveolus.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.alveolus.model.PneumoniaModel;
import io.alveolus.model.Preprocessor;

import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Pushes real X-rays through the running pipeline (ingest -> Kafka -> worker -> PostgreSQL) and prints
 * throughput and upload-to-COMPLETED latency, next to the bare model's throughput measured in the same run.
 * Latency is completed_at - received_at as recorded by the services themselves.
 */
public final class PipelineBench {
    static final ObjectMapper JSON = new ObjectMapper();
    /**
     * HTTP/1.1 by default: what an ingress (TLS ends there) speaks to the service's pods. {@code -Dhttp=2} uploads
     * over cleartext HTTP/2 instead, which costs ingest more per upload (frame and HPACK decoding on the event loop).
     */
    static final HttpClient HTTP = HttpClient.newBuilder()
            .version("2".equals(System.getProperty("http")) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
            .build();
    static final String INGEST = System.getProperty("ingest", "http://127.0.0.1:8081");
    static final String TOKEN_URL = "http://127.0.0.1:18180/realms/alveolus/protocol/openid-connect/token";

    static final String RESULTS = System.getProperty("results", "http://127.0.0.1:8083");

    public static void main(String[] args) {
        try {
            run(args);
            System.exit(0);
        } catch (Throwable e) {
            // a clear line and a non-zero exit, never a JVM left waiting on its threads
            System.err.println("\npipeline bench failed: " + e);
            System.exit(1);
        }
    }

    static void run(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/data/cxr-kermany224");
        int n = Integer.parseInt(System.getProperty("images", "500"));
        List<Path> files = files(data, n + 300);
        String run = UUID.randomUUID().toString().substring(0, 8);
        // host-path mode (bench/host-path.sh): the worker runs with a stub forward pass of zero cost
        boolean hostPath = Boolean.getBoolean("hostPath");

        double modelRate = Double.NaN;
        if (!hostPath) {
            System.out.println("== bare model (in this process, batch 8, same images) ==");
            modelRate = bareModel(files.subList(0, Math.min(96, files.size())));
            System.out.printf("bare model throughput: %.1f images/s%n", modelRate);
        }

        // its own hospital on the enterprise plan, so the dev tenants' per-minute limits never refuse the load
        Credentials device = onboardBenchTenant("bench-" + run);
        System.out.printf("%n== saturation: %d images uploaded by 4 concurrent devices (tenant %s) ==%n", n,
                device.tenant());
        String token = device.token();
        // warm-up, not measured: freshly started JVMs spend their first minutes compiling (C2), which a service
        // that runs for days does not pay per image (other study ids, so every upload is a new analysis). Rounds of
        // `warmup` images until the JIT compilers of ingest and worker have settled (under 0.5 CPU ms per image in a
        // round), at most -DwarmupRounds (40) rounds: C2 keeps compiling Quarkus, Hibernate and Kafka code for
        // thousands of requests (4-5 CPU ms per image after 1,800 uploads, bench/results/host-path-stop23.txt; still
        // 0.2-3 after 12,000, falling: bench/results/host-path-stop23-warm40.txt).
        int warm = Integer.getInteger("warmup", 300);
        int rounds = Integer.getInteger("warmupRounds", 40);
        int warmedUp = 0;
        for (int round = 0; warm > 0 && round < rounds; round++) {
            var procs = ProcessCpu.stackProcesses();
            Map<String, Map<String, Long>> before = ProcessCpu.jvmThreadGroups(procs);
            int k = Math.min(warm, files.size());
            // a tenant of its own per round: a dozen rounds in a minute are more than the plan's uploads per minute
            String warmToken = onboardBenchTenant("bench-" + run + "-w" + round).token();
            await(uploadAll(files.subList(0, k), "BENCH-WARM" + round + "-" + run, warmToken, 4, 0));
            warmedUp += k;
            double worst = 0;
            StringBuilder jit = new StringBuilder();
            for (var e : before.entrySet()) {
                double ms = ProcessCpu.compilerMs(e.getValue(), ProcessCpu.threadGroups(procs.get(e.getKey()))) / k;
                worst = Math.max(worst, ms);
                jit.append(String.format(" %s %.1f", e.getKey(), ms));
            }
            System.out.printf("warm-up round %d: %d images, not measured; JIT compiler CPU ms per image:%s%n", round + 1,
                    k, jit);
            if (worst < 0.5) {
                break;
            }
        }
        List<Path> sat = files.subList(0, n);
        var processes = ProcessCpu.stackProcesses();
        FlightRecordings jfr = FlightRecordings.start(processes);
        ProcessCpu cpu = ProcessCpu.of(processes);
        Map<String, Map<String, Long>> threadsBefore = ProcessCpu.jvmThreadGroups(processes);
        Map<String, Double> s3Before = objectStoreRequests();
        long t0 = System.currentTimeMillis();
        List<UUID> ids = uploadAll(sat, "BENCH-SAT-" + run, token, 4, 0);
        Stats s1 = await(ids);
        var cpuMs = cpu.sinceStart();
        Map<String, Double> s3After = objectStoreRequests();
        Map<String, String> threads = new LinkedHashMap<>();
        // what the JIT compiler threads took: a warming JVM's cost, not the steady state's (see the warm-up above)
        Map<String, Double> jitMs = new LinkedHashMap<>();
        threadsBefore.forEach((svc, before) -> {
            Map<String, Long> after = ProcessCpu.threadGroups(processes.get(svc));
            threads.put(svc, ProcessCpu.threadBreakdown(before, after, n, 8));
            jitMs.put(svc, ProcessCpu.compilerMs(before, after) / n);
        });
        // the JIT's whole bill so far: a start-up cost that a long-running service spreads over millions of images
        Map<String, Double> jitTotalMs = new LinkedHashMap<>();
        threadsBefore.keySet().forEach(svc ->
                jitTotalMs.put(svc, ProcessCpu.compilerMs(Map.of(), ProcessCpu.threadGroups(processes.get(svc)))));
        if (jfr != null) {
            System.out.println("flight recordings of the saturation phase:");
            jfr.stopAndSummarise();
        }
        double pipeRate = n / ((s1.lastCompletedMs - t0) / 1000.0);
        System.out.printf(hostPath ? "pipeline throughput (stub forward pass): %.1f images/s%n"
                : "pipeline throughput: %.1f images/s  (%.2fx bare model)%n", pipeRate, pipeRate / modelRate);
        s1.print("latency under saturation");
        System.out.println("CPU per image during saturation (from /proc/<pid>/stat, process and its children):");
        cpuMs.forEach((name, ms) -> {
            System.out.printf("  %-18s %6.1f ms%s%n", name, ms / n, jitMs.containsKey(name)
                    ? String.format("   (%.1f ms without the JIT compiler threads)", ms / n - jitMs.get(name)) : "");
            System.out.print(threads.getOrDefault(name, ""));   // by thread group: request handling vs GC vs JIT
        });
        System.out.printf("  %-18s %6.1f ms%n", "total", cpuMs.values().stream().mapToDouble(Double::doubleValue).sum() / n);
        System.out.printf("  worker inference phase (model forward + applicability + CAM grid, wall): %.1f ms per image%n",
                s1.inferenceMsPerImage());
        StringBuilder s3 = new StringBuilder();
        double s3Total = 0;
        for (var e : s3After.entrySet()) {
            double d = e.getValue() - s3Before.getOrDefault(e.getKey(), 0.0);
            if (d > 0) {
                s3Total += d;
                s3.append(String.format(" %s %.2f", e.getKey(), d / n));
            }
        }
        System.out.printf("object-store requests per image (the services' alveolus_object_store_requests_total): %.2f"
                + " (target <= 2):%s%n", s3Total / n, s3);
        int served = warmedUp + n;
        jitTotalMs.forEach((svc, ms) -> System.out.printf("JIT compilers of %s since the JVM started: %.1f CPU s over"
                + " the %d images it has taken (at least: ended compiler threads are not counted), %.1f ms of them in"
                + " this phase%n", svc, ms / 1000, served, jitMs.get(svc) * n));
        double ingestMs = cpuMs.getOrDefault("ingest-service", 0.0) / n;
        double ingestSteady = ingestMs - jitMs.getOrDefault("ingest-service", 0.0);
        double workerMs = cpuMs.getOrDefault("inference-worker", 0.0) / n;
        double workerSteady = workerMs - jitMs.getOrDefault("inference-worker", 0.0);
        // The targets are held against the steady state: the CPU a running service spends per image. The JIT
        // compiler threads are a JVM's start-up bill (bounded, falling round by round, printed above), not a
        // per-image cost; what they still took in this phase is printed beside it.
        if (hostPath) {
            System.out.printf("%nsummary (stub forward pass), steady state (the JIT compiler threads left out): worker"
                    + " host side %.2f CPU ms per image (fetch, decode, prepare, batch, write, Kafka) = a ceiling of"
                    + " %.0f images/s per core one worker could feed a GPU with (target >= 400); ingest %.2f CPU ms per"
                    + " upload (target <= 5). With the JIT still compiling in this phase (after %d warm-up images):"
                    + " worker %.2f ms = %.0f images/s per core, ingest %.2f ms%n", workerSteady, 1000 / workerSteady,
                    ingestSteady, warmedUp, workerMs, 1000 / workerMs, ingestMs);
            return;
        }

        double half = pipeRate / 2;
        int m = Math.min(300, files.size() - n);
        System.out.printf("%n== half the saturation rate: %d images at %.1f images/s ==%n", m, half);
        List<UUID> ids2 = uploadAll(files.subList(n, n + m), "BENCH-HALF-" + run, device.token(), 1, half);
        Stats s2 = await(ids2);
        s2.print("latency at half rate");
        System.out.printf("%nsummary: pipeline %.1f img/s = %.2fx bare model %.1f img/s (target >= 0.20); "
                + "p95 at half rate %d ms (target < 2000); CPU ms per image, steady state (the JIT compiler threads "
                + "left out): ingest %.1f (target <= 5), worker %.1f (the model's forward pass included; its host side "
                + "alone: bench/host-path.sh); with the JIT still compiling in this phase (after %d warm-up images): "
                + "ingest %.1f, worker %.1f%n", pipeRate, pipeRate / modelRate, modelRate, s2.p(95), ingestSteady,
                workerSteady, warmedUp, ingestMs, workerMs);
    }

    /** Object-store requests each service has sent so far, by "service method" (from its /q/metrics). */
    static Map<String, Double> objectStoreRequests() {
        Map<String, Double> out = new java.util.TreeMap<>();
        Map<String, String> services = Map.of("ingest-service", INGEST, "inference-worker",
                System.getProperty("worker", "http://127.0.0.1:8082"), "results-service", RESULTS);
        services.forEach((name, url) -> {
            try {
                var r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/q/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                var m = java.util.regex.Pattern.compile(
                        "(?m)^alveolus_object_store_requests_total\\{[^}]*method=\"([A-Z]+)\"[^}]*} ([0-9.eE+-]+)$")
                        .matcher(r.body());
                while (m.find()) {
                    out.merge(name + " " + m.group(1), Double.parseDouble(m.group(2)), Double::sum);
                }
            } catch (Exception e) {
                throw new IllegalStateException("could not read " + url + "/q/metrics: " + e.getMessage(), e);
            }
        });
        return out;
    }

    record Credentials(String tenant, String clientId, String secret) {
        String token() throws Exception {
            return PipelineBench.token("grant_type=client_credentials&client_id=" + clientId + "&client_secret=" + secret);
        }
    }

    /** Onboards a tenant through results-service's platform-admin API, as an operator would. */
    static Credentials onboardBenchTenant(String tenant) throws Exception {
        String admin = token("grant_type=password&client_id=alveolus-cli&username=olga&password=alveolus");
        var r = HTTP.send(HttpRequest.newBuilder(URI.create(RESULTS + "/api/admin/tenants"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + tenant + "\",\"name\":\"Pipeline bench\","
                        + "\"retentionDays\":30,\"plan\":\"enterprise\"}")).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("onboarding the bench tenant failed: " + r.statusCode() + " " + r.body());
        }
        var body = JSON.readTree(r.body());
        return new Credentials(tenant, body.get("deviceClientId").asText(), body.get("deviceClientSecret").asText());
    }

    static List<Path> files(Path data, int n) throws Exception {
        List<Path> all = new ArrayList<>();
        for (String label : new String[]{"NORMAL", "PNEUMONIA"}) {
            try (Stream<Path> s = Files.list(data.resolve(label))) {
                all.addAll(s.sorted().toList());
            }
        }
        java.util.Collections.shuffle(all, new java.util.Random(42));
        return all.subList(0, Math.min(n, all.size()));
    }

    static double bareModel(List<Path> files) throws Exception {
        List<BufferedImage> imgs = new ArrayList<>();
        for (Path f : files) {
            imgs.add(Preprocessor.decode(Files.readAllBytes(f)));
        }
        String version = System.getProperty("model", "");
        try (PneumoniaModel model = version.isBlank() ? PneumoniaModel.loadShipped() : PneumoniaModel.loadShipped(version)) {
            System.out.println("model: " + model.manifest().version() + " (the worker serves the same version)");
            model.predict(imgs.subList(0, 8));
            double[] rates = new double[5];
            for (int r = 0; r < rates.length; r++) {
                long t = System.nanoTime();
                for (int i = 0; i + 8 <= imgs.size(); i += 8) {
                    model.predict(imgs.subList(i, i + 8));
                }
                rates[r] = (imgs.size() / 8 * 8) / ((System.nanoTime() - t) / 1e9);
            }
            Arrays.sort(rates);
            return rates[rates.length / 2];
        }
    }

    static String token(String form) throws Exception {
        var r = HTTP.send(HttpRequest.newBuilder(URI.create(TOKEN_URL)).header("Content-Type",
                "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("Keycloak refused a token: " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body()).get("access_token").asText();
    }

    static List<UUID> uploadAll(List<Path> files, String prefix, String token, int threads, double ratePerSec)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "bench-device");
            t.setDaemon(true);
            return t;
        });
        List<Future<UUID>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < files.size(); i++) {
            if (ratePerSec > 0) {
                long due = start + (long) (i / ratePerSec * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            Path f = files.get(i);
            String study = prefix + "-" + i;
            futures.add(pool.submit(() -> upload(f, study, token, "ROUTINE")));
        }
        List<UUID> ids = new ArrayList<>();
        for (Future<UUID> f : futures) {
            ids.add(f.get());
        }
        pool.shutdown();
        return ids;
    }

    static UUID upload(Path file, String study, String token, String priority) throws Exception {
        String boundary = "----alveolus" + UUID.randomUUID();
        var out = new java.io.ByteArrayOutputStream();
        for (String[] field : new String[][]{{"studyId", study}, {"patientRef", "BENCH"}, {"priority", priority}}) {
            out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field[0] + "\"\r\n\r\n"
                    + field[1] + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.jpeg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.write(Files.readAllBytes(file));
        out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        var r = HTTP.send(HttpRequest.newBuilder(URI.create(INGEST + "/api/images"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("upload failed: " + r.statusCode() + " " + r.body());
        }
        return UUID.fromString(JSON.readTree(r.body()).get("analysisId").asText());
    }

    record Stats(long[] latenciesMs, long lastCompletedMs, double inferenceMsPerImage) {
        long p(int pct) {
            long[] l = latenciesMs.clone();
            Arrays.sort(l);
            return l[Math.min(l.length - 1, (int) Math.ceil(pct / 100.0 * l.length) - 1)];
        }

        void print(String what) {
            System.out.printf("%s: p50 %d ms, p95 %d ms, p99 %d ms (n=%d)%n", what, p(50), p(95), p(99), latenciesMs.length);
        }
    }

    static Stats await(List<UUID> ids) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:15432/alveolus", "alveolus", "alveolus")) {
            var st = c.prepareStatement("select count(*) filter (where status in ('COMPLETED','FAILED','NOT_APPLICABLE')), "
                    + "max(completed_at) from analysis where id = any(?)");
            st.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            long deadline = System.currentTimeMillis() + 900_000;
            int last = -1;
            while (System.currentTimeMillis() < deadline) {
                try (var rs = st.executeQuery()) {
                    rs.next();
                    int done = rs.getInt(1);
                    if (done != last) {
                        System.out.printf("\r  analysed %d / %d", done, ids.size());
                        last = done;
                    }
                    if (done == ids.size()) {
                        System.out.println();
                        break;
                    }
                }
                Thread.sleep(100);
            }
            var lat = c.prepareStatement("select extract(epoch from (completed_at - received_at)) * 1000, "
                    + "extract(epoch from completed_at) * 1000, coalesce(inference_ms, 0) from analysis "
                    + "where id = any(?) and completed_at is not null");
            lat.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            List<Long> ls = new ArrayList<>();
            long lastMs = 0;
            double inference = 0;
            try (var rs = lat.executeQuery()) {
                while (rs.next()) {
                    ls.add((long) rs.getDouble(1));
                    lastMs = Math.max(lastMs, (long) rs.getDouble(2));
                    inference += rs.getDouble(3);
                }
            }
            if (ls.size() < ids.size()) {
                throw new IllegalStateException("only " + ls.size() + " of " + ids.size() + " analysed");
            }
            return new Stats(ls.stream().mapToLong(Long::longValue).toArray(), lastMs, inference / Math.max(1, ls.size()));
        }
    }
}
