package io.alveolus.interop.hl7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.HL7Service;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v251.message.ORU_R01;
import ca.uhn.hl7v2.protocol.ReceivingApplication;
import ca.uhn.hl7v2.util.StandardSocketFactory;
import ca.uhn.hl7v2.util.Terser;
import ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import io.alveolus.interop.AnalysisResult.Status;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MllpSenderTest {

    /** The listener answers AE (v2.5 style: the text in ERR) to this accession ... */
    static final String ACCESSION_AE = "ACC-AE";
    /** ... and AR with the text in MSA-3 (v2.3/2.4 style) to this one. */
    static final String ACCESSION_AR = "ACC-AR";

    private static HapiContext serverContext;
    private static HL7Service server;
    private static int port;
    /** what the listener received, as ER7 */
    private static final List<String> received = new CopyOnWriteArrayList<>();

    /** A RIS stand-in with HAPI's own server classes: records what it got, answers AA, or AE/AR when marked. */
    static final class Ris implements ReceivingApplication<Message> {
        @Override
        public Message processMessage(Message message, Map<String, Object> metadata) throws HL7Exception {
            try {
                received.add(message.encode());
                String accession = new Terser(message).get("/PATIENT_RESULT/ORDER_OBSERVATION/OBR-3");
                if (ACCESSION_AE.equals(accession)) {
                    return message.generateACK(AcknowledgmentCode.AE, new HL7Exception("unknown accession number"));
                }
                if (ACCESSION_AR.equals(accession)) {
                    Message ack = message.generateACK(AcknowledgmentCode.AR, null);
                    new Terser(ack).set("/MSA-3", "duplicate control id");
                    return ack;
                }
                return message.generateACK();
            } catch (IOException e) {
                throw new HL7Exception(e);
            }
        }

        @Override
        public boolean canProcess(Message message) {
            return true;
        }
    }

    @BeforeAll
    static void listen() throws Exception {
        port = freePort();
        serverContext = listenerContext();
        server = serverContext.newServer(port, false);
        server.registerApplication("ORU", "R01", new Ris());
        server.startAndWait();
    }

    @AfterAll
    static void stop() throws IOException {
        server.stopAndWait();
        close(serverContext);
    }

    /**
     * A context with its own threads: closing one on HAPI's default executor shuts that down for every other
     * context in the JVM (the other listener's connections stop answering).
     */
    static HapiContext listenerContext() {
        HapiContext c = new DefaultHapiContext(Executors.newCachedThreadPool());
        c.setValidationContext(ValidationContextFactory.defaultValidation());
        // the ACKs' control ids: HAPI's default generator writes a file "id_file" into the working directory
        c.getParserConfiguration().setIdGenerator(new InMemoryIDGenerator());
        return c;
    }

    static void close(HapiContext c) throws IOException {
        c.close();
        c.getExecutorService().shutdownNow();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static MllpSender sender(int port, Duration ackTimeout) {
        return new MllpSender(new MllpSender.Config("127.0.0.1", port, Duration.ofSeconds(2), ackTimeout, false));
    }

    static String message(String accession) {
        return OruMessage.encode(OruMessageTest.result("an-" + accession, accession, Status.COMPLETED, 0.91, true,
                null));
    }

    @Test
    void deliversAnOruAndReturnsTheAck() throws Exception {
        received.clear();
        try (MllpSender sender = sender(port, Duration.ofSeconds(10))) {
            assertEquals("AA", sender.send(message("ACC-1")));
        }
        assertEquals(1, received.size());
        // what arrived is a valid ORU^R01 for the right patient and order
        Message got = serverContext.getPipeParser().parse(received.get(0));
        assertTrue(got instanceof ORU_R01, got.getClass().getName());
        Terser t = new Terser(got);
        assertEquals("ORU^R01^ORU_R01", t.get("/MSH-9-1") + "^" + t.get("/MSH-9-2") + "^" + t.get("/MSH-9-3"));
        assertEquals("PAT-4711", t.get("/PATIENT_RESULT/PATIENT/PID-3-1"));
        assertEquals("ACC-1", t.get("/PATIENT_RESULT/ORDER_OBSERVATION/OBR-3"));
        assertEquals(OruMessage.controlId("an-ACC-1", "pneumonia-v1"), t.get("/MSH-10"));
    }

    @Test
    void sendsTheHapiMessageToo() throws Exception {
        received.clear();
        try (MllpSender sender = sender(port, Duration.ofSeconds(10))) {
            ORU_R01 m = OruMessage.build(OruMessageTest.negative());
            assertEquals("AA", sender.send(m));
            assertEquals("AA", sender.send(m), "a re-send over a new connection");
        }
        assertEquals(2, received.size());
    }

    @Test
    void applicationErrorThrowsWithTheErrorText() throws Exception {
        try (MllpSender sender = sender(port, Duration.ofSeconds(10))) {
            MllpSendException e = assertThrows(MllpSendException.class, () -> sender.send(message(ACCESSION_AE)));
            assertEquals(MllpSendException.Kind.ERROR, e.kind());
            assertEquals("AE", e.ackCode());
            assertEquals("unknown accession number", e.ackText());
            assertTrue(e.getMessage().contains("unknown accession number"), e.getMessage());

            MllpSendException r = assertThrows(MllpSendException.class, () -> sender.send(message(ACCESSION_AR)));
            assertEquals(MllpSendException.Kind.REJECT, r.kind());
            assertEquals("AR", r.ackCode());
            assertEquals("duplicate control id", r.ackText());

            // a failed send leaves the sender usable
            assertEquals("AA", sender.send(message("ACC-2")));
        }
    }

    @Test
    void nothingListeningFailsFast() throws Exception {
        int closed = freePort();
        try (MllpSender sender = sender(closed, Duration.ofSeconds(10))) {
            long start = System.nanoTime();
            MllpSendException e = assertThrows(MllpSendException.class, () -> sender.send(message("ACC-3")));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(MllpSendException.Kind.CONNECT, e.kind());
            assertNull(e.ackCode());
            assertTrue(millis < 3000, "took " + millis + " ms");
        }
    }

    @Test
    void silentListenerTimesOutWithinTheBound() throws Exception {
        // accepts and reads, never answers
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread sink = new Thread(() -> {
                try (Socket s = silent.accept(); InputStream in = s.getInputStream()) {
                    while (in.read() >= 0) {
                        // swallow
                    }
                } catch (IOException ignored) {
                    // the test closed it
                }
            }, "silent-ris");
            sink.setDaemon(true);
            sink.start();
            try (MllpSender sender = sender(silent.getLocalPort(), Duration.ofMillis(800))) {
                long start = System.nanoTime();
                MllpSendException e = assertThrows(MllpSendException.class, () -> sender.send(message("ACC-4")));
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(MllpSendException.Kind.TIMEOUT, e.kind(), e.getMessage());
                assertTrue(millis >= 700 && millis < 5000, "took " + millis + " ms");
            }
        }
    }

    /** Server and client SSLContexts for a fresh self-signed key: {server with the key, client trusting it}. */
    static SSLContext[] selfSigned(Path dir, String san) throws Exception {
        Path keys = Files.createTempFile(dir, "ris", ".p12");
        Files.delete(keys);
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "ris", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=ris",
                "-ext", "SAN=" + san, "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keys.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(keytool.getInputStream().readAllBytes());
        assertEquals(0, keytool.waitFor(), out);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ris", ks.getCertificate("ris"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
        return new SSLContext[] {server, client};
    }

    /** HAPI's own server over TLS with {@code ssl}; the caller stops it and closes its context. */
    static HL7Service tlsListener(HapiContext context, int port, SSLContext ssl) throws InterruptedException {
        context.setSocketFactory(new StandardSocketFactory() {
            @Override
            public ServerSocket createTlsServerSocket() throws IOException {
                return ssl.getServerSocketFactory().createServerSocket();
            }
        });
        HL7Service s = context.newServer(port, true);
        s.registerApplication("ORU", "R01", new Ris());
        s.startAndWait();
        return s;
    }

    @Test
    void overTls(@TempDir Path dir) throws Exception {
        SSLContext[] ris = selfSigned(dir, "dns:localhost,ip:127.0.0.1");
        SSLContext[] elsewhere = selfSigned(dir, "dns:ris.example");
        Duration t = Duration.ofSeconds(5);
        int tlsPort = freePort();
        int otherPort = freePort();
        HapiContext tlsContext = listenerContext();
        HapiContext otherContext = listenerContext();
        HL7Service tlsServer = tlsListener(tlsContext, tlsPort, ris[0]);
        HL7Service otherServer = tlsListener(otherContext, otherPort, elsewhere[0]);
        try {
            received.clear();
            try (MllpSender sender = new MllpSender(
                    new MllpSender.Config("127.0.0.1", tlsPort, t, t, true, ris[1]))) {
                assertEquals("AA", sender.send(message("ACC-TLS")));
            }
            assertEquals(1, received.size());
            assertTrue(received.get(0).contains("ACC-TLS"));

            // a RIS whose key the client does not trust gets nothing
            received.clear();
            try (MllpSender sender = new MllpSender(new MllpSender.Config("127.0.0.1", tlsPort, t, t, true,
                    SSLContext.getDefault()))) {
                MllpSendException e = assertThrows(MllpSendException.class, () -> sender.send(message("ACC-TLS2")));
                assertTrue(e.kind() == MllpSendException.Kind.IO || e.kind() == MllpSendException.Kind.CONNECT,
                        e.kind() + ": " + e.getMessage());
            }
            // nor does a trusted key issued to another name (the endpoint identification)
            try (MllpSender sender = new MllpSender(
                    new MllpSender.Config("127.0.0.1", otherPort, t, t, true, elsewhere[1]))) {
                MllpSendException e = assertThrows(MllpSendException.class, () -> sender.send(message("ACC-TLS3")));
                assertTrue(e.kind() == MllpSendException.Kind.IO || e.kind() == MllpSendException.Kind.CONNECT,
                        e.kind() + ": " + e.getMessage());
            }
            assertEquals(0, received.size());
        } finally {
            tlsServer.stopAndWait();
            otherServer.stopAndWait();
            close(tlsContext);
            close(otherContext);
        }
    }

    @Test
    void configIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> new MllpSender.Config("", 2575));
        assertThrows(IllegalArgumentException.class, () -> new MllpSender.Config("ris", 0));
        assertThrows(IllegalArgumentException.class,
                () -> new MllpSender.Config("ris", 2575, Duration.ZERO, Duration.ofSeconds(1), false));
    }
}
