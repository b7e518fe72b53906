package io.alveolus.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of named processes, read from the OS: utime + stime of {@code /proc/<pid>/stat} for a process and all
 * its descendants (PostgreSQL's backends, a launcher's JVM), so a bench can print CPU milliseconds per image for
 * every part of the pipeline. Linux only.
 */
final class ProcessCpu {
    private static final double MS_PER_TICK = 1000.0 / clockTicks();
    private final Map<String, Long> roots;
    private final Map<String, Long> startTicks;

    private ProcessCpu(Map<String, Long> roots) {
        this.roots = roots;
        this.startTicks = ticks(roots);
    }

    /** Starts measuring the given processes (name to pid) now. */
    static ProcessCpu of(Map<String, Long> roots) {
        return new ProcessCpu(roots);
    }

    /** CPU milliseconds each process (with its descendants) used since {@link #of}. */
    Map<String, Double> sinceStart() {
        Map<String, Long> now = ticks(roots);
        Map<String, Double> ms = new LinkedHashMap<>();
        now.forEach((name, t) -> ms.put(name, (t - startTicks.getOrDefault(name, 0L)) * MS_PER_TICK));
        return ms;
    }

    /**
     * The local stack and services as started by stack/up.sh and stack/services.sh (their pid files), PostgreSQL
     * from its postmaster.pid, and this process as the load generator. Processes not running are left out.
     */
    static Map<String, Long> stackProcesses() throws IOException {
        Path stack = Path.of(System.getProperty("alveolus.stack", ".stack"));
        Map<String, Long> roots = new LinkedHashMap<>();
        for (String name : List.of("ingest-service", "inference-worker", "results-service", "frontend-api", "kafka",
                "s3proxy", "keycloak")) {
            Path pid = stack.resolve("pids").resolve(name + ".pid");
            if (Files.isRegularFile(pid)) {
                long p = Long.parseLong(Files.readString(pid).trim());
                if (Files.isDirectory(Path.of("/proc", String.valueOf(p)))) {
                    roots.put(name, p);
                }
            }
        }
        Path pg = stack.resolve("data/postgres/postmaster.pid");
        if (Files.isReadable(pg)) {
            roots.put("postgres", Long.parseLong(Files.readAllLines(pg).get(0).trim()));
        }
        roots.put("load generator", ProcessHandle.current().pid());
        return roots;
    }

    private static Map<String, Long> ticks(Map<String, Long> roots) {
        Map<Long, Long> parent = new HashMap<>();
        Map<Long, Long> own = new HashMap<>();
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                String name = d.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(d.resolve("stat"));
                    // fields after the command name, which is in parentheses and may hold spaces
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long pid = Long.parseLong(name);
                    parent.put(pid, Long.parseLong(f[1]));
                    // utime + stime, and cutime + cstime: what its children that have ended used (a PostgreSQL
                    // backend whose connection closed during the run, counted by its postmaster from then on)
                    own.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13])
                            + Long.parseLong(f[14]));
                } catch (IOException | RuntimeException gone) {
                    // the process ended while the table was read
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc (the CPU figures need Linux)", e);
        }
        Map<String, Long> out = new LinkedHashMap<>();
        roots.forEach((name, root) -> {
            long sum = 0;
            for (var e : own.entrySet()) {
                if (descends(e.getKey(), root, parent)) {
                    sum += e.getValue();
                }
            }
            out.put(name, sum);
        });
        return out;
    }

    /**
     * CPU ticks of one process's threads grouped by name ({@code /proc/<pid>/task/<tid>/comm}, digits dropped: all
     * of "executor-thread-1..n" are one group), so a bench can tell request handling from GC and JIT compilation.
     */
    static Map<String, Long> threadGroups(long pid) {
        Map<String, Long> out = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String comm = Files.readString(t.resolve("comm")).trim().replaceAll("[0-9]+", "#");
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.merge(comm, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while it was read
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return out;
    }

    /** {@link #threadGroups} of the ingest and worker JVMs among {@code processes} (the two a bench breaks down). */
    static Map<String, Map<String, Long>> jvmThreadGroups(Map<String, Long> processes) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (String svc : List.of("ingest-service", "inference-worker")) {
            if (processes.containsKey(svc)) {
                out.put(svc, threadGroups(processes.get(svc)));
            }
        }
        return out;
    }

    /** CPU milliseconds the JIT compiler threads (C1/C2) used between two {@link #threadGroups} readings. */
    static double compilerMs(Map<String, Long> before, Map<String, Long> after) {
        double ms = 0;
        for (var e : after.entrySet()) {
            if (e.getKey().contains("CompilerThre")) {
                ms += (e.getValue() - before.getOrDefault(e.getKey(), 0L)) * MS_PER_TICK;
            }
        }
        return ms;
    }

    /** Milliseconds per image by thread group between two {@link #threadGroups} readings, largest first. */
    static String threadBreakdown(Map<String, Long> before, Map<String, Long> after, int images, int top) {
        List<Map.Entry<String, Double>> rows = new ArrayList<>();
        after.forEach((g, t) -> rows.add(Map.entry(g, (t - before.getOrDefault(g, 0L)) * MS_PER_TICK / images)));
        rows.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        StringBuilder b = new StringBuilder();
        for (var r : rows.subList(0, Math.min(top, rows.size()))) {
            if (r.getValue() >= 0.05) {
                b.append(String.format("      %-16s %5.1f ms%n", r.getKey(), r.getValue()));
            }
        }
        return b.toString();
    }

    private static boolean descends(long pid, long root, Map<Long, Long> parent) {
        List<Long> seen = new ArrayList<>();
        for (Long p = pid; p != null && p > 0 && seen.size() < 64; p = parent.get(p)) {
            if (p == root) {
                return true;
            }
            seen.add(p);
        }
        return false;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (Exception e) {
            return 100; // the Linux default
        }
    }
}
