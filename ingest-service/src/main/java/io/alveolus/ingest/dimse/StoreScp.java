package io.alveolus.ingest.dimse;

import com.pixelmed.network.AReleaseException;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.CEchoRequestCommandMessage;
import com.pixelmed.network.CEchoResponseCommandMessage;
import com.pixelmed.network.CStoreRequestCommandMessage;
import com.pixelmed.network.CStoreResponseCommandMessage;
import com.pixelmed.network.DicomNetworkException;
import com.pixelmed.network.MessageServiceElementCommand;
import com.pixelmed.utils.ByteArray;
import io.alveolus.common.imaging.ImageLimits;
import io.alveolus.common.metrics.TenantTags;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.interop.tls.Tls;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The DICOM C-STORE SCP: hospitals' modalities and PACS send to their tenant's called AE title on one TCP port
 * ({@code alveolus.dimse.port}, default 11112; -1 turns it off), and, when {@code alveolus.dimse.tls.port} is set,
 * on a second port over TLS (DICOM PS3.15 Annex B, the TLS secure transport connection profile; TLS 1.2/1.3 only,
 * the server key from a PKCS12 key store; with {@code alveolus.dimse.tls.trust-store}, mutual TLS: a client must
 * present a certificate signed by one of those CAs). Both ports feed the same association handling, so an
 * association over TLS is answered exactly as a plain one. Each association runs on its own thread, at most
 * {@code alveolus.dimse.max-associations} at once over both ports (further connections wait in the TCP backlog); a
 * connection idle for {@code alveolus.dimse.idle-timeout} is closed. The upper layer is PixelMed's: this class only
 * chooses the tenant from the titles before PixelMed's acceptor takes the connection, then answers C-ECHO and
 * C-STORE.
 */
@ApplicationScoped
public class StoreScp {
    private static final Logger LOG = Logger.getLogger(StoreScp.class);
    /** An A-ASSOCIATE-RQ is a few KB (128 presentation contexts at most); anything larger is not a DICOM peer. */
    private static final int MAX_ASSOCIATE_RQ_BYTES = 1 << 20;
    private static final int A_ASSOCIATE_RQ = 0x01;

    @ConfigProperty(name = "alveolus.dimse.port", defaultValue = "11112")
    int port;
    @ConfigProperty(name = "alveolus.dimse.host", defaultValue = "0.0.0.0")
    String host;
    @ConfigProperty(name = "alveolus.dimse.max-associations", defaultValue = "16")
    int maxAssociations;
    @ConfigProperty(name = "alveolus.dimse.idle-timeout", defaultValue = "60s")
    Duration idleTimeout;
    /** The DICOM TLS port (2762 is IANA's dicom-tls); -1, the default, leaves TLS off. */
    @ConfigProperty(name = "alveolus.dimse.tls.port", defaultValue = "-1")
    int tlsPort;
    /** PKCS12 with the listener's key and certificate chain (required with a TLS port). */
    @ConfigProperty(name = "alveolus.dimse.tls.key-store")
    Optional<String> tlsKeyStore;
    @ConfigProperty(name = "alveolus.dimse.tls.key-store-password")
    Optional<String> tlsKeyStorePassword;
    /** The hospitals' client CAs (PEM, or PKCS12 with its password): when set, client certificates are required. */
    @ConfigProperty(name = "alveolus.dimse.tls.trust-store")
    Optional<String> tlsTrustStore;
    @ConfigProperty(name = "alveolus.dimse.tls.trust-store-password")
    Optional<String> tlsTrustStorePassword;

    @Inject
    DicomAeDirectory directory;
    @Inject
    CStoreIngest cstore;
    @Inject
    MeterRegistry metrics;
    @Inject
    TenantTags tenantTags;

    private final StoragePresentationContexts policy = new StoragePresentationContexts();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    private volatile SSLServerSocket tlsServer;
    private volatile boolean running;
    private ExecutorService associations;
    private Semaphore slots;

    /** After the AE titles' bootstrap: associations may arrive as soon as the port is open. */
    void start(@Observes @Priority(Interceptor.Priority.APPLICATION + 700) StartupEvent e)
            throws IOException, GeneralSecurityException {
        if (port < 0 && tlsPort < 0) {
            LOG.info("DICOM C-STORE listener disabled (alveolus.dimse.port < 0, no alveolus.dimse.tls.port)");
            return;
        }
        PixelmedPdus.verify();
        SSLContext tls = tlsPort >= 0 ? tlsContext() : null; // a wrong key store fails the start, not a hospital
        slots = new Semaphore(maxAssociations);
        // open associations (ARTIM waits included) against max-associations: the replica's DICOM headroom
        metrics.gauge("alveolus.dimse.associations.active", open, Set::size);
        AtomicInteger n = new AtomicInteger();
        associations = Executors.newFixedThreadPool(maxAssociations, r -> {
            Thread t = new Thread(r, "dimse-association-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        running = true;
        if (port >= 0) {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, port), 64);
            server = s;
            accept(s, "dimse-accept");
            LOG.infof("DICOM C-STORE listener on %s:%d (at most %d associations, idle timeout %s)", host,
                    s.getLocalPort(), maxAssociations, idleTimeout);
        }
        if (tls != null) {
            boolean mutual = clientCas().isPresent();
            SSLServerSocket s = Tls.configure((SSLServerSocket) tls.getServerSocketFactory().createServerSocket(),
                    mutual);
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, tlsPort), 64);
            tlsServer = s;
            accept(s, "dimse-tls-accept");
            LOG.infof("DICOM TLS listener on %s:%d (%s, client certificates %s)", host, s.getLocalPort(),
                    String.join("/", s.getEnabledProtocols()), mutual ? "required" : "not asked for");
        }
    }

    private SSLContext tlsContext() throws IOException, GeneralSecurityException {
        String keyStore = tlsKeyStore.filter(k -> !k.isBlank()).orElseThrow(() -> new IllegalStateException(
                "alveolus.dimse.tls.port is set but alveolus.dimse.tls.key-store is not"));
        return Tls.server(Path.of(keyStore), tlsKeyStorePassword.orElse("").toCharArray(),
                clientCas().orElse(null), tlsTrustStorePassword.orElse("").toCharArray());
    }

    /** The hospitals' client CAs, if configured: mutual TLS. */
    private Optional<Path> clientCas() {
        return tlsTrustStore.filter(t -> !t.isBlank()).map(Path::of);
    }

    private void accept(ServerSocket s, String name) {
        Thread acceptor = new Thread(() -> acceptLoop(s), name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port bound (the configured one, or the one the system chose for port 0); -1 when disabled. */
    public int localPort() {
        ServerSocket s = server;
        return s == null ? -1 : s.getLocalPort();
    }

    /** The DICOM TLS port bound; -1 when TLS is off. */
    public int tlsLocalPort() {
        ServerSocket s = tlsServer;
        return s == null ? -1 : s.getLocalPort();
    }

    /** Stops accepting, lets associations in progress finish for a few seconds, then closes what remains. */
    void stop(@Observes ShutdownEvent e) {
        if (!running) {
            return;
        }
        running = false;
        for (ServerSocket s : new ServerSocket[]{server, tlsServer}) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing: nothing to do
                }
            }
        }
        server = null;
        tlsServer = null;
        associations.shutdown();
        try {
            if (!associations.awaitTermination(5, TimeUnit.SECONDS)) {
                for (Socket open : open) {
                    closeQuietly(open);
                }
                associations.shutdownNow();
                associations.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop(ServerSocket s) {
        while (running) {
            try {
                slots.acquire(); // bounded: beyond max-associations, connections wait in the backlog
                Socket socket;
                try {
                    socket = s.accept();
                } catch (IOException ex) {
                    slots.release();
                    throw ex;
                }
                open.add(socket);
                try {
                    associations.execute(() -> {
                        try {
                            serve(socket);
                        } finally {
                            open.remove(socket);
                            closeQuietly(socket);
                            slots.release();
                        }
                    });
                } catch (java.util.concurrent.RejectedExecutionException ex) {
                    closeQuietly(socket); // shutting down
                    return;
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException ex) {
                if (running) {
                    // e.g. out of file descriptors: say so, and do not spin on it
                    LOG.warnf("DICOM listener accept failed: %s", ex.getMessage());
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /** One connection: the titles decide the tenant (or the rejection), then requests until release or abort. */
    void serve(Socket socket) {
        String peer = String.valueOf(socket.getRemoteSocketAddress());
        try {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, idleTimeout.toMillis()));
            byte[] rq = readAssociateRequest(socket.getInputStream());
            if (rq == null) {
                LOG.debugf("DICOM connection from %s did not open with an A-ASSOCIATE-RQ; closed", peer);
                return;
            }
            String[] titles = PixelmedPdus.titles(rq);
            String called = titles[0];
            String calling = titles[1];
            DicomAeDirectory.Decision decision;
            try {
                decision = directory.decide(called, calling);
            } catch (RuntimeException ex) {
                // the database is down: a transient rejection, so the sender retries later
                LOG.warnf("DICOM association refused for now: called=%s calling=%s: titles cannot be looked up: %s",
                        called, calling, ex.getMessage());
                OutputStream out = socket.getOutputStream();
                out.write(PixelmedPdus.reject(PixelmedPdus.REJECTED_TRANSIENT, PixelmedPdus.SOURCE_PROVIDER_PRESENTATION,
                        PixelmedPdus.TEMPORARY_CONGESTION));
                out.flush();
                count(null, "rejected_unavailable");
                return;
            }
            if (!decision.accepted()) {
                OutputStream out = socket.getOutputStream();
                out.write(PixelmedPdus.reject(PixelmedPdus.REJECTED_PERMANENT, PixelmedPdus.SOURCE_SERVICE_USER,
                        decision.rejectReason()));
                out.flush();
                String why = decision.rejectReason() == PixelmedPdus.CALLED_AE_NOT_RECOGNISED
                        ? "called AE title not recognised" : "calling AE title not allowed";
                count(null, decision.rejectReason() == PixelmedPdus.CALLED_AE_NOT_RECOGNISED
                        ? "rejected_called" : "rejected_calling");
                LOG.infof("DICOM association rejected: called=%s calling=%s from %s: %s", called, calling, peer, why);
                return;
            }
            // PixelMed's acceptor reads the request again and answers it with the contexts the policy accepts
            Association association = AssociationFactory.createNewAssociation(new ReplaySocket(socket, rq), called,
                    policy);
            count(decision.tenant(), "accepted");
            LOG.debugf("DICOM association accepted: called=%s calling=%s tenant=%s from %s", called, calling,
                    decision.tenant(), peer);
            try {
                while (true) {
                    respond(association, decision.tenant(), called, calling);
                }
            } catch (AReleaseException released) {
                LOG.debugf("DICOM association released: called=%s calling=%s", called, calling);
            }
        } catch (DicomNetworkException | IOException ex) {
            // an abort, a closed or idle connection, a malformed PDU: the sender's to retry
            LOG.infof("DICOM association from %s ended: %s", peer, ex.getMessage());
        } catch (RuntimeException ex) {
            LOG.errorf(ex, "DICOM association from %s failed", peer);
        }
    }

    /** Reads one request (command, and data set for a C-STORE) and sends its response. */
    private void respond(Association association, TenantId tenant, String called, String calling)
            throws DicomNetworkException, AReleaseException, IOException {
        DimseMessage message = new DimseMessage(ImageLimits.MAX_DICOM_FILE_BYTES,
                StoragePresentationContexts.ANALYSED::contains);
        association.setReceivedDataHandler(message);
        association.waitForPDataPDUsUntilHandlerReportsDone(); // AReleaseException on A-RELEASE-RQ
        byte pcid = message.presentationContextId();
        try {
            byte[] response;
            if (message.commandField() == MessageServiceElementCommand.C_ECHO_RQ) {
                CEchoRequestCommandMessage rq = new CEchoRequestCommandMessage(message.commandList());
                response = new CEchoResponseCommandMessage(rq.getAffectedSOPClassUID(), rq.getMessageID(),
                        DimseStatus.SUCCESS).getBytes();
            } else if (message.commandField() == MessageServiceElementCommand.C_STORE_RQ) {
                CStoreRequestCommandMessage rq = new CStoreRequestCommandMessage(message.commandList());
                CStoreIngest.Result result = store(association, message, rq, tenant, called, calling);
                response = new CStoreResponseCommandMessage(rq.getAffectedSOPClassUID(),
                        rq.getAffectedSOPInstanceUID(), rq.getMessageID(), result.status()).getBytes();
            } else {
                // only Verification and Storage are negotiated: another request is a peer gone wrong
                LOG.infof("DICOM %s from called=%s calling=%s not supported; aborting",
                        MessageServiceElementCommand.toString(message.commandField()), called, calling);
                association.abort();
                throw new DicomNetworkException("unsupported command");
            }
            association.send(pcid, response, null);
        } catch (com.pixelmed.dicom.DicomException ex) {
            throw new DicomNetworkException("cannot read the command: " + ex.getMessage());
        }
    }

    private CStoreIngest.Result store(Association association, DimseMessage message, CStoreRequestCommandMessage rq,
                                      TenantId tenant, String called, String calling) throws DicomNetworkException {
        String sopClass = rq.getAffectedSOPClassUID();
        String sopInstance = rq.getAffectedSOPInstanceUID();
        if (!StoragePresentationContexts.ANALYSED.contains(sopClass)) {
            return cstore.notAnalysed(tenant, sopClass, sopInstance, called, calling);
        }
        if (message.tooLarge()) {
            return cstore.tooLarge(tenant, sopInstance, called, calling);
        }
        String ts = association.getTransferSyntaxForPresentationContextID(message.presentationContextId());
        return cstore.store(tenant, sopClass, sopInstance, ts, called, calling, message.dataSet());
    }

    /**
     * The first PDU, if it is an A-ASSOCIATE-RQ (its type and length header, PS3.8 9.3.1, bounded), else null.
     * Parsing it is PixelMed's ({@link PixelmedPdus#titles}).
     */
    static byte[] readAssociateRequest(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] header = new byte[6];
        data.readFully(header);
        long length = ByteArray.bigEndianToUnsignedInt(header, 2, 4) & 0xffffffffL;
        if ((header[0] & 0xff) != A_ASSOCIATE_RQ || length > MAX_ASSOCIATE_RQ_BYTES) {
            return null;
        }
        byte[] pdu = new byte[6 + (int) length];
        System.arraycopy(header, 0, pdu, 0, 6);
        data.readFully(pdu, 6, (int) length);
        return pdu;
    }

    private void count(TenantId tenant, String outcome) {
        metrics.counter("alveolus.dimse.associations", "tenant", tenant == null ? "none" : tenantTags.of(tenant),
                "outcome", outcome).increment();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
