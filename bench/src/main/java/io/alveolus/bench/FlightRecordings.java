package io.alveolus.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Java flight recordings of the services while a bench measures them (issue 14: profiles are part of the record).
 * {@code -Djfr=DIR}: {@link #start} runs {@code jcmd <pid> JFR.start settings=profile} on each service JVM as the
 * measured phase begins, {@link #stopAndSummarise} dumps each recording to {@code DIR/<service>.jfr} and writes
 * {@code DIR/<service>-top-frames.txt}: the methods the service's own threads were executing in when sampled (self
 * time) and the top stacks by Alveolus frame, so a before/after comparison needs no GUI.
 */
final class FlightRecordings {
    private static final String NAME = "alveolus-bench";
    private final Path dir;
    private final Map<String, Long> services;

    private FlightRecordings(Path dir, Map<String, Long> services) {
        this.dir = dir;
        this.services = services;
    }

    /** Null when {@code -Djfr} is not set. */
    static FlightRecordings start(Map<String, Long> processes) throws Exception {
        String d = System.getProperty("jfr");
        if (d == null || d.isBlank()) {
            return null;
        }
        Path dir = Path.of(d).toAbsolutePath();
        Files.createDirectories(dir);
        Map<String, Long> jvms = new HashMap<>();
        processes.forEach((name, pid) -> {
            if (name.endsWith("-service") || name.equals("inference-worker")) {
                jvms.put(name, pid);
            }
        });
        for (var e : jvms.entrySet()) {
            jcmd(e.getValue(), "JFR.start", "name=" + NAME, "settings=profile");
        }
        System.out.printf("flight recordings started for %s (into %s)%n", jvms.keySet(), dir);
        return new FlightRecordings(dir, jvms);
    }

    void stopAndSummarise() throws Exception {
        for (var e : services.entrySet()) {
            Path file = dir.resolve(e.getKey() + ".jfr");
            jcmd(e.getValue(), "JFR.stop", "name=" + NAME, "filename=" + file);
            Path summary = dir.resolve(e.getKey() + "-top-frames.txt");
            Files.writeString(summary, topFrames(file, 25));
            System.out.printf("  %s: %s, %s%n", e.getKey(), file, summary);
        }
    }

    /** Self-time by method over all execution samples, and the samples by the innermost io.alveolus frame. */
    static String topFrames(Path jfr, int n) throws IOException {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> ours = new HashMap<>();
        int samples = 0;
        for (RecordedEvent ev : RecordingFile.readAllEvents(jfr)) {
            if (!ev.getEventType().getName().equals("jdk.ExecutionSample") || ev.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = ev.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            samples++;
            self.merge(name(frames.get(0)), 1, Integer::sum);
            String mine = "(no io.alveolus frame)";
            for (RecordedFrame f : frames) {
                if (f.getMethod().getType().getName().startsWith("io.alveolus.")) {
                    mine = name(f);
                    break;
                }
            }
            ours.merge(mine, 1, Integer::sum);
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format("%s: %d execution samples (JFR profile settings, Java threads only)%n%n", jfr.getFileName(),
                samples));
        out.append("top methods by self time:\n");
        append(out, self, samples, n);
        out.append("\ntop innermost io.alveolus frames (the platform code under which the time was spent):\n");
        append(out, ours, samples, n);
        return out.toString();
    }

    private static void append(StringBuilder out, Map<String, Integer> counts, int total, int n) {
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()));
        for (var e : sorted.subList(0, Math.min(n, sorted.size()))) {
            out.append(String.format("  %5.1f %%  %6d  %s%n", 100.0 * e.getValue() / Math.max(1, total), e.getValue(),
                    e.getKey()));
        }
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static void jcmd(long pid, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || out.contains("Could not")) {
            throw new IllegalStateException("jcmd " + String.join(" ", args) + " failed for pid " + pid + ": " + out);
        }
    }

    /** Prints the summary of an existing recording: {@code java ... FlightRecordings file.jfr}. */
    public static void main(String[] args) throws IOException {
        System.out.print(topFrames(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 25));
    }
}
