package io.alveolus.interop.tls;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The platform's TLS for hospital links (DICOM PS3.15 Annex B on the C-STORE SCP and SCU, MLLP over TLS): TLS 1.2
 * and 1.3 only, the JDK's default cipher suites for those (which follow BCP 195), the peer's host name checked on
 * every client connection. Trust is a hospital's CA certificate(s) as PEM, or the JVM's default trust when none.
 */
public final class Tls {
    /** The protocols any hospital link may negotiate (BCP 195: nothing below TLS 1.2). */
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final Pattern PEM_CERTIFICATE = Pattern.compile(
            "-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]+?)-----END CERTIFICATE-----");

    private Tls() {
    }

    /**
     * The X.509 certificates of a PEM text (one or more CERTIFICATE blocks, nothing else that looks like one).
     *
     * @throws IllegalArgumentException when there is none or one does not parse, with what was wrong
     */
    public static List<X509Certificate> certificates(String pem) {
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException("no PEM text");
        }
        List<X509Certificate> out = new ArrayList<>();
        Matcher m = PEM_CERTIFICATE.matcher(pem);
        CertificateFactory x509;
        try {
            x509 = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException(e);
        }
        while (m.find()) {
            byte[] der;
            try {
                der = java.util.Base64.getMimeDecoder().decode(m.group(1).replaceAll("\\s", ""));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("certificate " + (out.size() + 1) + " is not valid base64");
            }
            try {
                out.add((X509Certificate) x509.generateCertificate(new ByteArrayInputStream(der)));
            } catch (CertificateException e) {
                throw new IllegalArgumentException("certificate " + (out.size() + 1) + " is not an X.509 certificate: "
                        + e.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no -----BEGIN CERTIFICATE----- block");
        }
        return out;
    }

    /** A client context trusting only the CA certificate(s) in {@code caPem}; the JVM's default when null. */
    public static SSLContext trusting(String caPem) {
        try {
            if (caPem == null || caPem.isBlank()) {
                return SSLContext.getDefault();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, trustManagers(certificates(caPem)), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * A server context: its key and certificate chain from a PKCS12 key store, and, when {@code clientCas} is not
     * null, the CA certificates (PEM file, or PKCS12 trust store with {@code clientCasPassword}) that sign the
     * clients' certificates.
     */
    public static SSLContext server(Path keyStore, char[] keyStorePassword, Path clientCas, char[] clientCasPassword)
            throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, keyStorePassword);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, keyStorePassword);
        javax.net.ssl.TrustManager[] trust = null;
        if (clientCas != null) {
            byte[] bytes = Files.readAllBytes(clientCas);
            String text = new String(bytes, StandardCharsets.US_ASCII);
            if (text.contains("-----BEGIN CERTIFICATE-----")) {
                trust = trustManagers(certificates(text));
            } else {
                KeyStore ts = KeyStore.getInstance("PKCS12");
                ts.load(new ByteArrayInputStream(bytes), clientCasPassword);
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ts);
                trust = tmf.getTrustManagers();
            }
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), trust, null);
        return ctx;
    }

    /** Restricts a listening socket to {@link #PROTOCOLS}; with {@code requireClientCertificate}, mutual TLS. */
    public static SSLServerSocket configure(SSLServerSocket server, boolean requireClientCertificate) {
        server.setEnabledProtocols(PROTOCOLS);
        server.setNeedClientAuth(requireClientCertificate);
        return server;
    }

    /**
     * A TLS connection to host:port, handshake done: bounded connect and handshake, {@link #PROTOCOLS} only, the
     * peer's certificate checked against {@code host} (RFC 2818 rules: a name or IP address in its subject
     * alternative names). {@code readTimeout} stays set on the socket.
     */
    public static SSLSocket connect(SSLContext ctx, String host, int port, Duration connectTimeout,
                                    Duration readTimeout) throws IOException {
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE,
                    connectTimeout.toMillis()));
            plain.setSoTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, port, true);
            clientParameters(s);
            s.startHandshake();
            return s;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /** {@link #PROTOCOLS} and the host name check on a client socket, before its handshake. */
    public static SSLSocket clientParameters(SSLSocket s) {
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(PROTOCOLS);
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        return s;
    }

    private static javax.net.ssl.TrustManager[] trustManagers(List<X509Certificate> cas)
            throws GeneralSecurityException {
        KeyStore ts;
        try {
            ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int i = 0;
        for (X509Certificate ca : cas) {
            ts.setCertificateEntry("ca-" + i++, ca);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf.getTrustManagers();
    }
}
