package io.alveolus.results;

import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.common.testing.TestPki;
import io.alveolus.common.testing.Tokens;
import io.alveolus.interop.report.ResultUids;
import io.alveolus.interop.tls.Tls;
import io.alveolus.model.Heatmaps;
import io.alveolus.persistence.Analysis;
import io.alveolus.persistence.AnalysisStatus;
import io.alveolus.persistence.TenantContext;
import io.alveolus.results.delivery.DeliveryPlanner;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Results to the hospital over TLS, per destination: a C-STORE destination with {@code tls} to dcmtk's
 * {@code storescp +tls} (the PACS, checked by the files it writes), an MLLP destination with {@code tls} to HAPI's
 * MLLP server over TLS (the RIS), and two destinations that must not be delivered to: one trusting another CA, one
 * whose PACS certificate names another host. The PKI is made at test time by openssl (TestPki).
 */
@QuarkusTest
class DeliveryTlsTest {
    static final TenantId NORTHSIDE = new TenantId("northside");
    static final String MODEL = "pneumonia-v3";

    static Path work;
    static TestPki hospital;
    static TestPki stranger;
    static Process pacs;
    static Process misnamedPacs;
    static int pacsPort;
    static int misnamedPort;
    static Path received;

    @Inject
    ObjectStore store;
    @Inject
    DeliveryPlanner planner;

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** dcmtk's storescp over TLS with {@code issued}'s key, writing what it receives to {@code out}. */
    static Process storescp(TestPki.Issued issued, int port, Path out, Path log) throws Exception {
        Process p = new ProcessBuilder("storescp", "+tls", issued.key().toString(), issued.certificate().toString(),
                "-pw", "-ic", "-od", out.toString(), Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return p;
            } catch (IOException notYet) {
                if (!p.isAlive()) {
                    fail("storescp (dcmtk with OpenSSL, stack/install-interop-deps.sh) exited: "
                            + Files.readString(log));
                }
                Thread.sleep(100);
            }
        }
        fail("storescp did not listen on " + port);
        return null;
    }

    @BeforeAll
    static void pki() throws Exception {
        Files.createDirectories(Path.of("target"));
        work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "delivery-tls-");
        hospital = TestPki.create(work, "hospital");
        stranger = TestPki.create(work, "stranger");
        received = Files.createDirectories(work.resolve("pacs-received"));
        pacsPort = freePort();
        pacs = storescp(hospital.issue("pacs", "IP:127.0.0.1,DNS:localhost"), pacsPort, received,
                work.resolve("storescp.log"));
        misnamedPort = freePort();
        misnamedPacs = storescp(hospital.issue("elsewhere", "DNS:pacs.elsewhere.example"), misnamedPort,
                Files.createDirectories(work.resolve("misnamed-received")), work.resolve("storescp-misnamed.log"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : new Process[]{pacs, misnamedPacs}) {
            if (p != null) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    static void putDestination(String id, String json, int status) {
        given().auth().oauth2(Tokens.user("olga")).contentType("application/json").body(json)
                .put("/api/admin/tenants/northside/pacs-destinations/" + id).then().statusCode(status);
    }

    static String cStore(int port, String caPem) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of("protocol", "C_STORE",
                "host", "127.0.0.1", "port", port, "calledAe", "STORESCP", "tls", true, "tlsCaPem", caPem));
    }

    static void disable(String id) {
        putDestination(id, "{\"protocol\":\"STOW_RS\",\"url\":\"http://127.0.0.1:9/dicom-web\",\"enabled\":false}",
                200);
    }

    Analysis analysis(DeliveryTest.Source s) {
        Analysis a = TenancyMatrixTest.analysis(NORTHSIDE, "alice");
        a.heatmapKey = null;
        a.contentType = "application/dicom";
        a.imageKey = ObjectStore.imageKey(NORTHSIDE, UUID.randomUUID().toString().replace("-", ""));
        a.studyInstanceUid = s.studyUid();
        a.sopInstanceUid = s.sopUid();
        a.modelVersion = MODEL;
        a.status = AnalysisStatus.COMPLETED;
        a.camGrid = Heatmaps.encode(HeatmapRenderingTest.GRID);
        a.camWidth = 3;
        a.camHeight = 3;
        a.probability = 0.83;
        a.threshold = 0.42;
        a.positive = true;
        store.put(NORTHSIDE, a.imageKey, s.bytes(), "application/dicom");
        TenantContext.run(NORTHSIDE, () -> QuarkusTransaction.requiringNew().run(a::persist));
        return a;
    }

    /** The delivery's outbox row: attempts, last_error, published_at, next_attempt_at, dead_at. */
    static Object[] delivery(Analysis a, String destination, String kind) {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> r = Analysis.getEntityManager().createNativeQuery("select attempts, last_error,"
                            + " published_at, next_attempt_at, dead_at from outbox_event where channel = 'pacs'"
                            + " and subject = :s and event_key like :k")
                    .setParameter("s", a.id.toString()).setParameter("k", destination + "/" + kind + "/%")
                    .getResultList();
            return r.isEmpty() ? null : r.get(0);
        });
    }

    static Path awaitFile(String sopInstanceUid) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            try (Stream<Path> files = Files.list(received)) {
                var hit = files.filter(f -> f.getFileName().toString().endsWith(sopInstanceUid)).findFirst();
                if (hit.isPresent()) {
                    return hit.get();
                }
            }
            Thread.sleep(300);
        }
        fail("storescp over TLS received no " + sopInstanceUid + " within 60 s: " + Files.readString(
                work.resolve("storescp.log")));
        return null;
    }

    @Test
    void theOperatorApiTakesTlsAndTheHospitalsCaAndRefusesWhatCannotWork() throws Exception {
        String ca = hospital.caPemText();
        putDestination("tls-api-check", cStore(pacsPort, ca), 200);
        try {
            given().auth().oauth2(Tokens.user("olga")).get("/api/admin/tenants/northside/pacs-destinations").then()
                    .statusCode(200).body("find { it.id == 'tls-api-check' }.tls", equalTo(true))
                    .body("find { it.id == 'tls-api-check' }.tlsCaPem", containsString("BEGIN CERTIFICATE"));
            // not a certificate: a problem that says so, and nothing stored
            given().auth().oauth2(Tokens.user("olga")).contentType("application/json")
                    .body(cStore(pacsPort, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----"))
                    .put("/api/admin/tenants/northside/pacs-destinations/tls-api-check").then().statusCode(400)
                    .body("detail", containsString("tlsCaPem"));
            given().auth().oauth2(Tokens.user("olga")).contentType("application/json")
                    .body(cStore(pacsPort, "hello"))
                    .put("/api/admin/tenants/northside/pacs-destinations/tls-api-check").then().statusCode(400)
                    .body("detail", containsString("BEGIN CERTIFICATE"));
            given().auth().oauth2(Tokens.user("olga")).get("/api/admin/tenants/northside/pacs-destinations").then()
                    .statusCode(200).body("find { it.id == 'tls-api-check' }.tlsCaPem", equalTo(ca.strip()));
            // STOW-RS does TLS by its https url; a CA without tls would be silently unused
            putDestination("tls-api-check", "{\"protocol\":\"STOW_RS\",\"url\":\"https://pacs.example/dicom-web\","
                    + "\"tls\":true}", 400);
            putDestination("tls-api-check", "{\"protocol\":\"C_STORE\",\"host\":\"127.0.0.1\",\"port\":104,"
                    + "\"calledAe\":\"PACS\",\"tlsCaPem\":" + new com.fasterxml.jackson.databind.ObjectMapper()
                    .writeValueAsString(ca) + "}", 400);
            // only a platform operator configures destinations
            given().auth().oauth2(Tokens.user("adam")).contentType("application/json").body(cStore(pacsPort, ca))
                    .put("/api/admin/tenants/northside/pacs-destinations/tls-api-check").then().statusCode(403);
        } finally {
            disable("tls-api-check");
        }
    }

    @Test
    void resultsGoOverTlsToTrustedPeersOnlyAndWaitWhereTheCertificateIsWrong() throws Exception {
        // the RIS: HAPI's MLLP server over TLS with a certificate from the hospital's CA
        TestPki.Issued risKey = hospital.issue("ris", "IP:127.0.0.1,DNS:localhost");
        SSLContext risTls = Tls.server(risKey.pkcs12(), TestPki.Issued.PASSWORD.toCharArray(), null, null);
        int risPort = freePort();
        var context = new ca.uhn.hl7v2.DefaultHapiContext();
        context.setValidationContext(ca.uhn.hl7v2.validation.impl.ValidationContextFactory.noValidation());
        context.getParserConfiguration().setIdGenerator(new ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator());
        context.setSocketFactory(new ca.uhn.hl7v2.util.StandardSocketFactory() {
            @Override
            public ServerSocket createTlsServerSocket() throws IOException {
                return Tls.configure((javax.net.ssl.SSLServerSocket) risTls.getServerSocketFactory()
                        .createServerSocket(), false);
            }
        });
        var ris = new DeliveryTest.Ris();
        var server = context.newServer(risPort, true);
        server.registerApplication("ORU", "R01", ris);
        server.startAndWait();

        String ca = hospital.caPemText();
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> ids = List.of("tls-pacs", "tls-pacs-other-ca", "tls-pacs-misnamed", "tls-ris");
        putDestination("tls-pacs", cStore(pacsPort, ca), 200);
        putDestination("tls-pacs-other-ca", cStore(pacsPort, stranger.caPemText()), 200);
        putDestination("tls-pacs-misnamed", cStore(misnamedPort, ca), 200);
        putDestination("tls-ris", json.writeValueAsString(Map.of("protocol", "HL7_MLLP", "host", "127.0.0.1",
                "port", risPort, "receivingApplication", "RIS", "receivingFacility", "NORTHSIDE", "tls", true,
                "tlsCaPem", ca)), 200);
        try {
            DeliveryTest.Source s = DeliveryTest.source();
            Analysis a = analysis(s);
            // what the Kafka consumer does with the completion event
            planner.onBatch(List.of(DeliveryTest.completed(a)));
            ResultUids uids = ResultUids.of(a.id.toString(), MODEL);

            // the PACS with the hospital's certificate got both objects over TLS
            Path sr = awaitFile(uids.srInstance());
            Path sc = awaitFile(uids.scInstance());
            assertTrue(Files.size(sr) > 0 && Files.size(sc) > 0);
            String dump = dcmdump(sr);
            assertTrue(dump.contains(s.studyUid()), "the SR is filed in the source's study: " + dump);

            // the RIS got the ORU^R01 over TLS
            String oru = ris.received.poll(60, TimeUnit.SECONDS);
            assertTrue(oru != null && oru.contains("ORU^R01") && oru.contains(a.studyId), "ORU^R01 over TLS: " + oru);

            // a CA that did not sign the PACS's certificate, a certificate for another host: tried, not delivered,
            // retried later, with the reason for the status page
            for (String bad : List.of("tls-pacs-other-ca", "tls-pacs-misnamed")) {
                Object[] row = null;
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < end) {
                    row = delivery(a, bad, "SR");
                    if (row != null && ((Number) row[0]).intValue() > 0 && row[1] != null) {
                        break;
                    }
                    Thread.sleep(300);
                }
                assertTrue(row != null && ((Number) row[0]).intValue() > 0, bad + " was attempted");
                assertEquals(null, row[2], bad + " is not delivered");
                assertTrue(row[3] != null && row[4] == null, bad + " waits for its next attempt (RETRYING)");
                String error = (String) row[1];
                assertTrue(error.contains("over TLS failed"), bad + ": " + error);
            }
            String otherCa = (String) delivery(a, "tls-pacs-other-ca", "SR")[1];
            assertTrue(otherCa.contains("PKIX"), "the chain to the configured CA was not found: " + otherCa);
            String misnamed = (String) delivery(a, "tls-pacs-misnamed", "SR")[1];
            assertTrue(misnamed.contains("subject alternative names"), "the host name check refused it: " + misnamed);
            try (Stream<Path> files = Files.list(work.resolve("misnamed-received"))) {
                assertEquals(List.of(), files.toList(), "nothing reached the PACS whose certificate names another host");
            }
            Object[] good = delivery(a, "tls-pacs", "SR");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (good[2] == null && System.nanoTime() < end) {
                Thread.sleep(300);
                good = delivery(a, "tls-pacs", "SR");
            }
            assertTrue(good[2] != null, "the trusted PACS's delivery is DELIVERED");
        } finally {
            for (String id : ids) {
                disable(id);
            }
            server.stopAndWait();
            context.close();
        }
    }

    static String dcmdump(Path file) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(List.of("dcmdump", file.toString()))).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
