package io.alveolus.ingest;

import io.alveolus.common.testing.TestDicom;
import io.alveolus.common.testing.TestImages;
import io.alveolus.common.testing.TestPki;
import io.alveolus.ingest.dimse.StoreScp;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The C-STORE SCP's DICOM TLS port (PS3.15 Annex B) with mutual TLS, against the local stack, with dcmtk's echoscu
 * and storescu (built with OpenSSL) as the modality. The PKI is made at start-up by openssl in target/: a hospital
 * CA that signs the modality's certificate and the listener's, and a stranger CA whose certificates must not get in.
 */
@QuarkusTest
@TestProfile(DicomTlsTest.MutualTls.class)
class DicomTlsTest {
    static final String ST_MARYS_AE = "ALVEOLUS_STM";
    static final String DX = "1.2.840.10008.5.1.4.1.1.1.1";

    /** TLS port on (a free one), key store and the hospital's client CA made now; the plain port stays on. */
    public static class MutualTls implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // the profile may be instantiated more than once per JVM (and class loader): one PKI per run
            String dir = System.getProperty("alveolus.test.dicom-tls-pki");
            if (dir == null) {
                try {
                    Files.createDirectories(Path.of("target"));
                    Path d = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "dicom-tls-");
                    TestPki hospital = TestPki.create(d, "hospital");
                    hospital.issue("alveolus", "IP:127.0.0.1,DNS:localhost");
                    hospital.issue("modality", null);
                    TestPki.create(d, "stranger").issue("modality", null);
                    dir = d.toString();
                    System.setProperty("alveolus.test.dicom-tls-pki", dir);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return Map.of("alveolus.dimse.tls.port", "0",
                    "alveolus.dimse.tls.key-store", dir + "/hospital-alveolus.p12",
                    "alveolus.dimse.tls.key-store-password", TestPki.Issued.PASSWORD,
                    "alveolus.dimse.tls.trust-store", dir + "/hospital-ca.pem");
        }
    }

    @Inject
    StoreScp scp;
    @Inject
    DataSource db;
    @ConfigProperty(name = "alveolus.dimse.tls.key-store")
    String keyStore;

    static Path work;

    @BeforeAll
    static void tools() throws IOException {
        for (String tool : List.of("echoscu", "storescu", "img2dcm", "dcmodify", "openssl")) {
            if (!StoreScpTest.onPath(tool)) {
                fail(tool + " not found on PATH: run stack/install-interop-deps.sh");
            }
        }
        work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "dicom-tls-files-");
    }

    record Run(int exit, String output) {
    }

    static Run dcmtk(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " timed out");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    Path pki(String file) {
        return Path.of(keyStore).getParent().resolve(file);
    }

    /** dcmtk's TLS options: the client key and certificate of {@code ca}'s modality, trusting the hospital CA. */
    List<String> tlsAs(String ca) {
        return List.of("+tls", pki(ca + "-modality.key").toString(), pki(ca + "-modality.pem").toString(),
                "-pw", "+cf", pki("hospital-ca.pem").toString());
    }

    Run echo(List<String> tls, int port) throws Exception {
        List<String> c = new ArrayList<>(List.of("echoscu", "-aec", ST_MARYS_AE, "-aet", "MODALITY1"));
        c.addAll(tls);
        c.addAll(List.of("127.0.0.1", Integer.toString(port)));
        return dcmtk(c);
    }

    @Test
    void echoOverTlsWithTheHospitalsCertificateSucceeds() throws Exception {
        assertTrue(scp.tlsLocalPort() > 0, "the TLS listener runs on a port of its own");
        assertNotEquals(scp.localPort(), scp.tlsLocalPort());
        Run r = echo(tlsAs("hospital"), scp.tlsLocalPort());
        assertEquals(0, r.exit(), r.output());
    }

    @Test
    void aRadiographStoredOverTlsLandsLikeAPlainOne() throws Exception {
        String sop = TestDicom.uid(50);
        byte[] jpeg = TestDicom.greyJpeg(TestImages.files("NORMAL", 1).get(0));
        byte[] dicom = TestDicom.wrap(jpeg, "(0008,0016)=" + DX, "(0008,0018)=" + sop, "(0008,0060)=DX",
                "(0018,0015)=CHEST", "(0018,5101)=PA", "(0008,0050)=ACC-TLS-" + sop.substring(sop.length() - 6),
                "(0010,0010)=Test^Patient", "(0010,0020)=MRN-" + UUID.randomUUID().toString().substring(0, 8));
        Path file = work.resolve(sop + ".dcm");
        Files.write(file, dicom);
        List<String> c = new ArrayList<>(List.of("storescu", "-d", "-xy", "-aec", ST_MARYS_AE, "-aet", "MODALITY1"));
        c.addAll(tlsAs("hospital"));
        c.addAll(List.of("127.0.0.1", Integer.toString(scp.tlsLocalPort()), file.toString()));
        Run r = dcmtk(c);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("Success"), r.output());
        assertEquals(List.of("st-marys"), StoreScpTest.analysisTenants(db, sop), "stored under the called AE's tenant");
        assertEquals(1, StoreScpTest.outboxEvents(db, sop), "with its image-received event, as over the plain port");
    }

    @Test
    void aClientWithoutACertificateOrWithAStrangersIsRefused() throws Exception {
        // anonymous TLS: the client checks the listener, but shows no certificate of its own
        Run anonymous = echo(List.of("+tla", "+cf", pki("hospital-ca.pem").toString()), scp.tlsLocalPort());
        assertNotEquals(0, anonymous.exit(), anonymous.output());
        // a certificate, but not signed by the hospital's CA
        Run stranger = echo(tlsAs("stranger"), scp.tlsLocalPort());
        assertNotEquals(0, stranger.exit(), stranger.output());
        // the same client with the hospital's certificate gets in: the refusals were about the certificate
        Run hospital = echo(tlsAs("hospital"), scp.tlsLocalPort());
        assertEquals(0, hospital.exit(), hospital.output());
    }

    @Test
    void aPlainClientOnTheTlsPortFailsAndThePlainPortStillServesIt() throws Exception {
        Run onTls = echo(List.of(), scp.tlsLocalPort());
        assertNotEquals(0, onTls.exit(), onTls.output());
        Run onPlain = echo(List.of(), scp.localPort());
        assertEquals(0, onPlain.exit(), onPlain.output());
    }
}
