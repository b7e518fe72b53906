package io.alveolus.interop.hl7;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.Connection;
import ca.uhn.hl7v2.app.Initiator;
import ca.uhn.hl7v2.app.TimeoutException;
import ca.uhn.hl7v2.llp.LLPException;
import ca.uhn.hl7v2.llp.MinLowerLayerProtocol;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.util.StandardSocketFactory;
import ca.uhn.hl7v2.util.Terser;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import io.alveolus.interop.tls.Tls;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one HL7 v2 message at a time to the RIS over MLLP (0x0B message 0x1C 0x0D) and waits for its ACK, with
 * HAPI's own client (HapiContext.newClient, Initiator.sendAndReceive). Success is an ACK with MSA-1 AA or CA;
 * anything else is a {@link MllpSendException} and the caller retries.
 *
 * <p>One connection per message, closed after the ACK: results are few, a RIS drops idle connections, and a fresh
 * connection cannot carry a late ACK of an earlier message. Sends are serialised ({@code synchronized}): the RIS
 * gets results in order and HAPI's per-context connection hub shares a connection between concurrent callers.
 *
 * <p>TLS ({@link Config#tls()}): HAPI's TLS client on {@link Config#sslContext()} (the hospital's CA as trust
 * anchor, a client key for mutual TLS), or the JVM's default SSLContext when null. The RIS's certificate must
 * match the configured host name (endpoint identification is switched on: SSLSocket does not check the name by
 * itself). Gap: with TLS the connect timeout is the operating system's, because HAPI creates the SSL socket
 * unconnected and connects it without a bound, and an SSLSocket cannot be subclassed to add one.
 *
 * <p>Never logs message content. HAPI logs every outbound message at DEBUG to {@code ca.uhn.hl7v2.raw.outbound}
 * (patient identifier and name): keep {@code ca.uhn.hl7v2} at INFO or above; the constructor warns otherwise.
 */
public final class MllpSender implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MllpSender.class);
    private static final String[] ERROR_TEXT = {"/MSA-3", "/ERR-8", "/ERR-3-9", "/ERR-3-2", "/ERR-1-4-2"};

    /**
     * @param host           the RIS's MLLP host
     * @param port           its port
     * @param connectTimeout bound on establishing the TCP connection (plain TCP only, see the class comment)
     * @param ackTimeout     bound on waiting for the ACK after the message went out
     * @param tls            MLLP over TLS
     * @param sslContext     TLS only: trust (and key) material, or null for the JVM's default
     */
    public record Config(String host, int port, Duration connectTimeout, Duration ackTimeout, boolean tls,
                         SSLContext sslContext) {
        public Config {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host is required");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port outside 1..65535: " + port);
            }
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(ackTimeout, "ackTimeout");
            if (connectTimeout.isNegative() || connectTimeout.isZero() || ackTimeout.isNegative()
                    || ackTimeout.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive");
            }
        }

        public Config(String host, int port, Duration connectTimeout, Duration ackTimeout, boolean tls) {
            this(host, port, connectTimeout, ackTimeout, tls, null);
        }

        public Config(String host, int port) {
            this(host, port, Duration.ofSeconds(5), Duration.ofSeconds(30), false, null);
        }
    }

    private final Config config;
    private final ExecutorService executor;
    private final HapiContext context;

    public MllpSender(Config config) {
        this.config = Objects.requireNonNull(config, "config");
        // its own executor (HAPI's connection reader threads): closing the default one would stop every other
        // HAPI context in the JVM
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mllp-sender-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.context = new DefaultHapiContext(executor);
        // Read any ACK as 2.5.1 structures and without validation: all we need from it is MSA and ERR, and an ACK
        // of another version or with a sloppy field must still tell us AA or AE.
        context.setModelClassFactory(new CanonicalModelClassFactory("2.5.1"));
        context.setValidationContext(ValidationContextFactory.noValidation());
        MinLowerLayerProtocol llp = new MinLowerLayerProtocol(false, true);
        llp.setCharset(StandardCharsets.UTF_8); // what MSH-18 of OruMessage declares
        context.setLowerLayerProtocol(llp);
        context.setSocketFactory(new ClientSocketFactory((int) Math.min(Integer.MAX_VALUE,
                config.connectTimeout().toMillis()), config.sslContext()));
        if (LoggerFactory.getLogger("ca.uhn.hl7v2.raw.outbound").isDebugEnabled()) {
            LOG.warn("logger ca.uhn.hl7v2.raw.outbound is at DEBUG: HAPI will log HL7 messages with patient data");
        }
    }

    public Config config() {
        return config;
    }

    /** Sends an ER7-encoded message (e.g. {@link OruMessage#encode}); returns MSA-1 (AA or CA). */
    public String send(String er7) throws MllpSendException {
        Message message;
        try {
            message = context.getPipeParser().parse(er7);
        } catch (HL7Exception e) {
            // our own message: a bug, not something a retry fixes
            throw new IllegalArgumentException("not a parseable HL7 v2 message: " + e.getMessage(), e);
        }
        return send(message);
    }

    /** Sends {@code message} and waits for its ACK; returns MSA-1 (AA or CA). */
    // getConnectionHub() is deprecated, but the hub newClient attached the connection to is the only place to take it
    // out again: Connection.close() alone leaves it there, and the next newClient logs a stale-connection discard
    @SuppressWarnings("deprecation")
    public synchronized String send(Message message) throws MllpSendException {
        String target = config.host() + ":" + config.port();
        Connection connection;
        try {
            connection = context.newClient(config.host(), config.port(), config.tls());
        } catch (HL7Exception e) {
            throw new MllpSendException(MllpSendException.Kind.CONNECT, null, null,
                    "cannot connect to " + target + ": " + rootMessage(e), e);
        }
        Message ack;
        try {
            Initiator initiator = connection.getInitiator();
            initiator.setTimeout(config.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
            ack = initiator.sendAndReceive(message);
        } catch (TimeoutException e) {
            throw new MllpSendException(MllpSendException.Kind.TIMEOUT, null, null,
                    "no ACK from " + target + " within " + config.ackTimeout().toMillis() + " ms", e);
        } catch (HL7Exception | LLPException | IOException e) {
            throw new MllpSendException(MllpSendException.Kind.IO, null, null,
                    "sending to " + target + " failed: " + rootMessage(e), e);
        } finally {
            context.getConnectionHub().discard(connection);
        }
        return acknowledgement(ack, target);
    }

    private static String acknowledgement(Message ack, String target) throws MllpSendException {
        Terser t = new Terser(ack);
        String code;
        try {
            code = t.get("/MSA-1");
        } catch (HL7Exception e) {
            throw new MllpSendException(MllpSendException.Kind.IO, null, null,
                    "answer from " + target + " has no MSA segment", e);
        }
        if ("AA".equals(code) || "CA".equals(code)) {
            return code;
        }
        String text = errorText(t);
        MllpSendException.Kind kind = switch (code == null ? "" : code) {
            case "AE", "CE" -> MllpSendException.Kind.ERROR;
            case "AR", "CR" -> MllpSendException.Kind.REJECT;
            default -> MllpSendException.Kind.IO;
        };
        throw new MllpSendException(kind, code, text,
                target + " answered " + code + (text != null ? ": " + text : " (no error text)"), null);
    }

    /** MSA-3 where the RIS speaks v2.3/2.4, else the v2.5 ERR fields. */
    private static String errorText(Terser t) {
        for (String path : ERROR_TEXT) {
            try {
                String v = t.get(path);
                if (v != null && !v.isBlank()) {
                    return v;
                }
            } catch (HL7Exception | RuntimeException e) {
                // an ACK without ERR, or an ERR of another shape: try the next place
            }
        }
        return null;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return root.getClass().getSimpleName() + (m != null ? ": " + m : "");
    }

    @Override
    public void close() {
        try {
            context.close();
        } catch (IOException e) {
            LOG.debug("closing the HAPI context: {}", e.toString());
        }
        executor.shutdownNow();
    }

    /** HAPI's sockets, but with a bound on connect (HAPI connects without one) and a checked TLS peer name. */
    private static final class ClientSocketFactory extends StandardSocketFactory {
        private final int connectTimeoutMillis;
        private final SSLContext sslContext;

        ClientSocketFactory(int connectTimeoutMillis, SSLContext sslContext) {
            this.connectTimeoutMillis = connectTimeoutMillis;
            this.sslContext = sslContext;
        }

        @Override
        public Socket createSocket() throws IOException {
            Socket s = new Socket() {
                @Override
                public void connect(SocketAddress endpoint) throws IOException {
                    connect(endpoint, connectTimeoutMillis);
                }
            };
            return configure(s);
        }

        @Override
        public Socket createTlsSocket() throws IOException {
            SSLSocketFactory f = sslContext != null ? sslContext.getSocketFactory()
                    : (SSLSocketFactory) SSLSocketFactory.getDefault();
            SSLSocket s = (SSLSocket) f.createSocket();
            // TLS 1.2/1.3 only, and the RFC 2818 name check of the RIS's certificate
            return configure(Tls.clientParameters(s));
        }

        private Socket configure(Socket s) throws IOException {
            s.setKeepAlive(true);
            s.setTcpNoDelay(true);
            // as HAPI's factory: its reader thread polls the socket with this timeout
            s.setSoTimeout(getAcceptedSocketTimeout());
            return s;
        }
    }
}
