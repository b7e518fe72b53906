package io.alveolus.ingest;

import io.alveolus.common.testing.TestDicom;
import io.alveolus.common.testing.TestImages;
import io.alveolus.ingest.dimse.StoreScp;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The C-STORE SCP against the local stack (PostgreSQL, S3Proxy, Kafka), with Debian's dcmtk as the modality:
 * echoscu and storescu send over a real association to the listener's free port. Fails, never skips, without dcmtk.
 */
@QuarkusTest
class StoreScpTest {
    static final String DX = "1.2.840.10008.5.1.4.1.1.1.1";
    static final String BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.11";
    /** The local stack's titles (alveolus.dimse.bootstrap-ae). */
    static final String ST_MARYS_AE = "ALVEOLUS_STM";
    static final String NORTHSIDE_AE = "ALVEOLUS_NSG";

    @Inject
    StoreScp scp;
    @Inject
    DataSource db;
    @Inject
    MeterRegistry metrics;

    static Path dir;

    @BeforeAll
    static void tools() throws IOException {
        for (String tool : List.of("echoscu", "storescu", "img2dcm", "dcmodify", "dump2dcm")) {
            if (!onPath(tool)) {
                fail(tool + " not found on PATH: the DICOM C-STORE tests use dcmtk as the modality; "
                        + "run stack/install-interop-deps.sh");
            }
        }
        Path target = Path.of("target");
        Files.createDirectories(target);
        dir = Files.createTempDirectory(target.toAbsolutePath(), "storescp-");
    }

    record Run(int exit, String output) {
    }

    /** Runs a dcmtk tool (bounded), with its output for the assertion messages. */
    static Run dcmtk(String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " timed out");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    Run echo(String calledAe, String callingAe) throws Exception {
        return dcmtk("echoscu", "-aec", calledAe, "-aet", callingAe, "127.0.0.1", Integer.toString(scp.localPort()));
    }

    Run store(String calledAe, Path file) throws Exception {
        // -xy: JPEG baseline proposed too, as a modality holding JPEG pixels does (img2dcm's output); -d: the
        // response status appears in the output (0xc000...) for the refusal tests
        return dcmtk("storescu", "-d", "-xy", "-aec", calledAe, "-aet", "MODALITY1", "127.0.0.1",
                Integer.toString(scp.localPort()), file.toString());
    }

    /** A frontal DX chest radiograph of a real X-ray (img2dcm + dcmodify), with a SOP Instance UID of its own. */
    static Path radiograph(String sopInstanceUid, String view, int image) throws IOException {
        byte[] jpeg = TestDicom.greyJpeg(TestImages.files("NORMAL", image + 1).get(image));
        byte[] dicom = TestDicom.wrap(jpeg, "(0008,0016)=" + DX, "(0008,0018)=" + sopInstanceUid,
                "(0008,0060)=DX", "(0018,0015)=CHEST", "(0018,5101)=" + view,
                "(0008,0050)=ACC-" + sopInstanceUid.substring(sopInstanceUid.length() - 8),
                "(0010,0010)=Test^Patient", "(0010,0020)=MRN-" + UUID.randomUUID().toString().substring(0, 8));
        Path file = dir.resolve(sopInstanceUid + ".dcm");
        Files.write(file, dicom);
        return file;
    }

    /** A Basic Text SR: no Pixel Data, what a PACS forwards with a study (a report). */
    static Path structuredReport(String sopInstanceUid) throws Exception {
        Path dump = dir.resolve(sopInstanceUid + ".dump");
        Files.write(dump, List.of(
                "(0002,0010) UI =LittleEndianExplicit",
                "(0008,0016) UI [" + BASIC_TEXT_SR + "]",
                "(0008,0018) UI [" + sopInstanceUid + "]",
                "(0008,0060) CS [SR]",
                "(0010,0020) LO [MRN-SR]",
                "(0020,000d) UI [" + TestDicom.uid(40) + "]",
                "(0020,000e) UI [" + TestDicom.uid(40) + "]",
                "(0040,a040) CS [CONTAINER]",
                "(0040,a050) CS [SEPARATE]"));
        Path file = dir.resolve(sopInstanceUid + ".dcm");
        Run r = dcmtk("dump2dcm", dump.toString(), file.toString());
        assertEquals(0, r.exit(), r.output());
        return file;
    }

    List<String> analysisTenants(String sopInstanceUid) throws SQLException {
        return analysisTenants(db, sopInstanceUid);
    }

    long outboxEvents(String sopInstanceUid) throws SQLException {
        return outboxEvents(db, sopInstanceUid);
    }

    /** The tenants of the analyses of this SOP Instance UID (also DicomTlsTest's). */
    static List<String> analysisTenants(DataSource db, String sopInstanceUid) throws SQLException {
        List<String> tenants = new ArrayList<>();
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("select tenant from analysis where sop_instance_uid = ?")) {
            s.setString(1, sopInstanceUid);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) tenants.add(r.getString(1));
            }
        }
        return tenants;
    }

    /** The outbox events of the analyses of this SOP Instance UID. */
    static long outboxEvents(DataSource db, String sopInstanceUid) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                select count(*) from outbox_event o join analysis a on o.subject = a.id::text
                where a.sop_instance_uid = ?""")) {
            s.setString(1, sopInstanceUid);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    double instances(String outcome) {
        var c = metrics.find("alveolus.dimse.instances").tag("outcome", outcome).counters();
        return c.stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    @Test
    void echoSucceeds() throws Exception {
        assertTrue(scp.localPort() > 0, "the listener runs on a free port");
        Run r = echo(ST_MARYS_AE, "MODALITY1");
        assertEquals(0, r.exit(), r.output());
    }

    @Test
    void unknownCalledAeIsRejected() throws Exception {
        Run echo = echo("NOT_A_HOSPITAL", "MODALITY1");
        assertNotEquals(0, echo.exit(), echo.output());
        assertTrue(echo.output().contains("Called AE Title Not Recognized"), echo.output());

        String sop = TestDicom.uid(50);
        Run store = store("NOT_A_HOSPITAL", radiograph(sop, "PA", 0));
        assertNotEquals(0, store.exit(), store.output());
        assertTrue(store.output().contains("Association Rejected"), store.output());
        assertEquals(List.of(), analysisTenants(sop));
    }

    @Test
    void callingAeOutsideTheAllowListIsRejected() throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement("""
                insert into tenant_dicom_ae (called_ae, tenant, allowed_calling)
                values ('ALV_ACL_TEST', 'st-marys', '{PACS_STM,MODALITY1}')
                on conflict (called_ae) do update set allowed_calling = excluded.allowed_calling""")) {
            s.executeUpdate();
        }
        Run stranger = echo("ALV_ACL_TEST", "STRANGER");
        assertNotEquals(0, stranger.exit(), stranger.output());
        assertTrue(stranger.output().contains("Calling AE Title Not Recognized"), stranger.output());
        Run listed = echo("ALV_ACL_TEST", "PACS_STM");
        assertEquals(0, listed.exit(), listed.output());
    }

    @Test
    void storedRadiographBecomesAnAnalysisWithItsEvent() throws Exception {
        String sop = TestDicom.uid(50);
        Run r = store(ST_MARYS_AE, radiograph(sop, "PA", 0));
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("Success"), r.output());
        // Success is answered after ingestDicom returned: the row and its event are already committed
        assertEquals(List.of("st-marys"), analysisTenants(sop));
        assertEquals(1, outboxEvents(sop), "one image-received event in the outbox");
    }

    @Test
    void sameInstanceTwiceIsOneAnalysis() throws Exception {
        String sop = TestDicom.uid(50);
        Path file = radiograph(sop, "AP", 1);
        Run first = store(ST_MARYS_AE, file);
        assertEquals(0, first.exit(), first.output());
        double duplicates = instances("duplicate");
        Run second = store(ST_MARYS_AE, file);
        assertEquals(0, second.exit(), second.output());
        assertTrue(second.output().contains("Success"), second.output());
        assertEquals(List.of("st-marys"), analysisTenants(sop));
        assertEquals(1, outboxEvents(sop));
        assertEquals(duplicates + 1, instances("duplicate"));
    }

    @Test
    void uncompressedImplicitVrInstanceIsStored() throws Exception {
        String sop = TestDicom.uid(50);
        byte[] dicom = TestDicom.uncompressed(256, 256, 16, (x, y) -> (x * 7 + y * 13) % 4096, sop, "ACC-IVR");
        Path file = dir.resolve(sop + ".dcm");
        Files.write(file, dicom);
        // -xi: implicit VR little endian only, so storescu re-encodes the explicit VR file: the listener gets an
        // implicit VR data set and must give it the matching file meta information
        Run r = dcmtk("storescu", "-xi", "-aec", ST_MARYS_AE, "-aet", "MODALITY1", "127.0.0.1",
                Integer.toString(scp.localPort()), file.toString());
        assertEquals(0, r.exit(), r.output());
        assertEquals(List.of("st-marys"), analysisTenants(sop));
    }

    @Test
    void secondTenantsTitleStoresUnderThatTenantOnly() throws Exception {
        String sop = TestDicom.uid(50);
        Run r = store(NORTHSIDE_AE, radiograph(sop, "PA", 2));
        assertEquals(0, r.exit(), r.output());
        assertEquals(List.of("northside"), analysisTenants(sop));
    }

    @Test
    void nonImageAndOutOfScopeInstancesSucceedWithoutAnalysis() throws Exception {
        double before = instances("not_analysed");
        String sr = TestDicom.uid(50);
        Run report = store(ST_MARYS_AE, structuredReport(sr));
        assertEquals(0, report.exit(), report.output());
        assertTrue(report.output().contains("Success"), report.output());
        assertEquals(List.of(), analysisTenants(sr));

        String lateral = TestDicom.uid(50);
        Run lat = store(ST_MARYS_AE, radiograph(lateral, "LL", 3));
        assertEquals(0, lat.exit(), lat.output());
        assertTrue(lat.output().contains("Success"), lat.output());
        assertEquals(List.of(), analysisTenants(lateral));
        assertEquals(before + 2, instances("not_analysed"));
    }

    @Test
    void corruptInstanceGetsAFailureStatus() throws Exception {
        String sop = TestDicom.uid(50);
        // the header says 256x256 8-bit pixels, the Pixel Data holds 1000 bytes
        byte[] corrupt = TestDicom.uncompressed(TestDicom.EXPLICIT_LE, 256, 256, 8, new byte[1000], sop, "ACC-BAD");
        Path file = dir.resolve(sop + ".dcm");
        Files.write(file, corrupt);
        Run r = store(ST_MARYS_AE, file);
        assertTrue(r.output().toLowerCase().contains("0xc000"), "Cannot understand: " + r.output());
        assertEquals(List.of(), analysisTenants(sop));
    }

    @Test
    void severalAssociationsAtOnce() throws Exception {
        List<String> sops = new ArrayList<>();
        List<Process> senders = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String sop = TestDicom.uid(50);
            sops.add(sop);
            Path file = radiograph(sop, "PA", 4 + i);
            senders.add(new ProcessBuilder("storescu", "-xy", "-aec", ST_MARYS_AE, "-aet", "MODALITY" + i, "127.0.0.1",
                    Integer.toString(scp.localPort()), file.toString()).redirectErrorStream(true).start());
        }
        for (Process p : senders) {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
        }
        for (String sop : sops) {
            assertEquals(List.of("st-marys"), analysisTenants(sop));
        }
        // every association gives its slot back once released (after PixelMed's 5 s release timer)
        var active = metrics.get("alveolus.dimse.associations.active").gauge();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (active.value() > 0 && System.nanoTime() < end) {
            Thread.sleep(200);
        }
        assertEquals(0.0, active.value(), "no association slot left taken");
    }

    @Test
    void subscriptionRefusalsAreFailureStatusesNotSuccess() throws Exception {
        try {
            SubscriptionLimitsTest.change(t -> t.status = "SUSPENDED");
            String suspended = TestDicom.uid(50);
            Run refused = store(NORTHSIDE_AE, radiograph(suspended, "PA", 8));
            assertTrue(refused.output().toLowerCase().contains("0x0124"), "Refused: not authorized: "
                    + refused.output());
            assertEquals(List.of(), analysisTenants(suspended));

            SubscriptionLimitsTest.change(t -> {
                t.status = "ACTIVE";
                t.maxUploadsPerMinute = 0;
            });
            String limited = TestDicom.uid(50);
            Run later = store(NORTHSIDE_AE, radiograph(limited, "PA", 9));
            assertTrue(later.output().toLowerCase().contains("0xa700"), "Out of resources, the sender retries: "
                    + later.output());
            assertEquals(List.of(), analysisTenants(limited));
        } finally {
            SubscriptionLimitsTest.change(t -> {
                t.status = "ACTIVE";
                t.maxUploadsPerMinute = 600;
            });
        }
    }

    @Test
    void openAssociationsAreBoundedByMaxAssociations() throws Exception {
        var active = metrics.get("alveolus.dimse.associations.active").gauge();
        List<java.net.Socket> peers = new ArrayList<>();
        try {
            // 20 connections that say nothing: 16 (alveolus.dimse.max-associations) are taken on, 4 wait in the backlog
            for (int i = 0; i < 20; i++) {
                peers.add(new java.net.Socket("127.0.0.1", scp.localPort()));
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (active.value() < 16 && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            Thread.sleep(300);
            assertEquals(16.0, active.value(), "at most max-associations at once");
        } finally {
            for (var p : peers) {
                p.close();
            }
        }
        Run r = echo(ST_MARYS_AE, "MODALITY1");
        assertEquals(0, r.exit(), "slots come back when peers go: " + r.output());
    }

    @Test
    void idleConnectionIsClosed() throws Exception {
        // alveolus.dimse.idle-timeout is 5s in the test profile: a peer that opens TCP and says nothing is let go
        try (java.net.Socket idle = new java.net.Socket("127.0.0.1", scp.localPort())) {
            idle.setSoTimeout(30_000);
            long start = System.nanoTime();
            assertEquals(-1, idle.getInputStream().read(), "the listener closes the connection");
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertTrue(seconds >= 4 && seconds < 20, "closed after the idle timeout, not at once: " + seconds + "s");
        }
        assertEquals(0, echo(ST_MARYS_AE, "MODALITY1").exit(), "and the listener still serves");
    }

    static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) return true;
        }
        return false;
    }
}
