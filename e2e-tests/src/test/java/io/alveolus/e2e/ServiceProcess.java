package io.alveolus.e2e;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One packaged Alveolus service run as a real process, so tests can kill it like a crash would. */
final class ServiceProcess implements AutoCloseable {
    static final Path ROOT = Path.of(System.getProperty("alveolus.root", "..")).toAbsolutePath().normalize();

    private final String module;
    private final int port;
    private final List<String> props;
    private Process process;

    ServiceProcess(String module, int port, String... props) {
        this.module = module;
        this.port = port;
        this.props = List.of(props);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    ServiceProcess start() throws Exception {
        Path jar = ROOT.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " missing: the e2e tests run after the services are packaged");
        }
        List<String> cmd = new ArrayList<>(List.of("java", "-Xmx768m", "-Dai.djl.offline=true",
                "-Dquarkus.http.port=" + port));
        props.forEach(p -> cmd.add("-D" + p));
        if (module.equals("ingest-service") && props.stream().noneMatch(p -> p.startsWith("alveolus.dimse.port="))) {
            // several ingest instances may run at once (the quota tests): each DICOM listener on a port of its own
            cmd.add("-Dalveolus.dimse.port=0");
        }
        cmd.addAll(List.of("-jar", jar.toString()));
        Path log = ROOT.resolve("e2e-tests/target/e2e-logs/" + module + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("OMP_WAIT_POLICY", "PASSIVE"); // as in the worker image: no OpenMP spin-waiting
        process = builder.start();
        awaitReady(Duration.ofSeconds(120), log.toFile());
        return this;
    }

    private void awaitReady(Duration max, File log) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long end = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited; see " + log);
            }
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(module + " not ready within " + max + "; see " + log);
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown hooks, no offset commit, exactly like a crashed pod. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Stops the given services in that order; those never started (null) are skipped. */
    static void closeAll(ServiceProcess... services) throws InterruptedException {
        for (ServiceProcess s : services) {
            if (s != null) {
                s.close();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
