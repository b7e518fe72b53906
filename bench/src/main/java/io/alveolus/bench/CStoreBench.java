package io.alveolus.bench;

import java.awt.image.BufferedImage;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * C-STORE under load (issue 15): {@code images} chest X-ray instances (each its own study and SOP Instance UID, made
 * with dcmtk from the shared images) sent by {@code associations} concurrent storescu processes, one association
 * each, to St Mary's AE title on ingest's SCP. Prints the instances/s the SCP accepted and, once the worker has
 * analysed them, checks that every instance is exactly one COMPLETED analysis: none lost, none twice.
 */
public final class CStoreBench {
    private CStoreBench() {
    }

    public static void main(String[] args) {
        try {
            run(Path.of(args[0]), Integer.getInteger("images", 200), Integer.getInteger("associations", 4),
                    System.getProperty("ae", "ALVEOLUS_STM"), Integer.getInteger("port", 11112));
            System.exit(0);
        } catch (Throwable e) {
            System.err.println("\nC-STORE bench failed: " + e);
            System.exit(1);
        }
    }

    static void run(Path data, int n, int associations, String ae, int port) throws Exception {
        Path dir = Files.createTempDirectory("cstore-bench");
        String run = new BigInteger(UUID.randomUUID().toString().replace("-", ""), 16).toString();
        List<Path> sources = PipelineBench.files(data, n);
        List<String> sops = new ArrayList<>();
        List<List<String>> perAssociation = new ArrayList<>();
        for (int a = 0; a < associations; a++) {
            perAssociation.add(new ArrayList<>());
        }
        System.out.printf("making %d DX instances with dcmtk...%n", n);
        for (int i = 0; i < n; i++) {
            BufferedImage colour = ImageIO.read(sources.get(i).toFile());
            BufferedImage grey = new BufferedImage(colour.getWidth(), colour.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
            grey.getGraphics().drawImage(colour, 0, 0, null);
            Path jpg = dir.resolve(i + ".jpg");
            ImageIO.write(grey, "jpeg", jpg.toFile());
            Path dcm = dir.resolve(i + ".dcm");
            String study = "2.25." + run + "." + i;
            String sop = study + ".1.1";
            exec(dir, "img2dcm", jpg.toString(), dcm.toString());
            exec(dir, "dcmodify", "-nb", "-i", "(0008,0060)=DX", "-i", "(0018,0015)=CHEST", "-i", "(0018,5101)=PA",
                    "-i", "(0020,000D)=" + study, "-i", "(0008,0018)=" + sop, "-i", "(0008,0050)=CS" + i,
                    "-i", "(0010,0020)=MRN-CS" + i, dcm.toString());
            sops.add(sop);
            perAssociation.get(i % associations).add(dcm.toString());
        }
        System.out.printf("== %d instances over %d associations to %s on port %d ==%n", n, associations, ae, port);
        long t0 = System.nanoTime();
        List<Process> senders = new ArrayList<>();
        for (List<String> files : perAssociation) {
            List<String> cmd = new ArrayList<>(List.of("storescu", "-xy", "-aet", "BENCHMOD", "-aec", ae, "127.0.0.1",
                    String.valueOf(port)));
            cmd.addAll(files);
            senders.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(
                    "storescu-" + senders.size() + ".log").toFile()).start());
        }
        for (Process p : senders) {
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("storescu failed (exit " + p.exitValue() + "); logs in " + dir);
            }
        }
        double sent = (System.nanoTime() - t0) / 1e9;
        System.out.printf("C-STORE: %d instances accepted (status Success) in %.1f s = %.1f instances/s%n", n, sent,
                n / sent);
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:15432/alveolus", "alveolus", "alveolus");
             var st = c.prepareStatement("select count(*), count(distinct sop_instance_uid),"
                     + " count(*) filter (where status = 'COMPLETED') from analysis where sop_instance_uid = any(?)")) {
            st.setArray(1, c.createArrayOf("varchar", sops.toArray()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(900);
            int rows = 0;
            int distinct = 0;
            int completed = 0;
            while (System.nanoTime() < deadline) {
                try (var rs = st.executeQuery()) {
                    rs.next();
                    rows = rs.getInt(1);
                    distinct = rs.getInt(2);
                    completed = rs.getInt(3);
                }
                System.out.printf("\r  completed %d / %d", completed, n);
                if (completed == n) {
                    break;
                }
                Thread.sleep(250);
            }
            double all = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%nanalyses: %d rows for %d distinct instances, %d COMPLETED, %.1f s after the first"
                    + " C-STORE%n", rows, distinct, completed, all);
            if (rows != n || distinct != n || completed != n) {
                throw new IllegalStateException("expected exactly " + n + " COMPLETED analyses, one per instance");
            }
            System.out.printf("summary: %d C-STORE instances over %d associations, %.1f instances/s accepted, all"
                    + " COMPLETED exactly once%n", n, associations, n / sent);
        }
    }

    private static void exec(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
