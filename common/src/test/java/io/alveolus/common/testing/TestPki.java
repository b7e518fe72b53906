package io.alveolus.common.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certification authority made at test time with the openssl command line (RSA 2048, valid two days),
 * for the TLS tests: PEM files for dcmtk and for the operator API, PKCS12 key stores for Java. Lives in a temporary
 * directory: no private key is ever committed.
 */
public final class TestPki {
    private final Path dir;
    private final String name;

    private TestPki(Path dir, String name) {
        this.dir = dir;
        this.name = name;
    }

    /** A new CA named {@code name} in {@code dir} ({@code name}-ca.key, {@code name}-ca.pem). */
    public static TestPki create(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        TestPki pki = new TestPki(dir, name);
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", pki.caKey().toString(),
                "-out", pki.caPem().toString(), "-days", "2", "-subj", "/CN=" + name + " test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return pki;
    }

    public Path dir() {
        return dir;
    }

    public Path caPem() {
        return dir.resolve(name + "-ca.pem");
    }

    private Path caKey() {
        return dir.resolve(name + "-ca.key");
    }

    /** The CA certificate as PEM text (what an operator puts in tlsCaPem). */
    public String caPemText() throws IOException {
        return Files.readString(caPem(), StandardCharsets.US_ASCII);
    }

    /** An issued key and certificate: PEM files, and a PKCS12 key store of both with the CA (password changeit). */
    public record Issued(Path key, Path certificate, Path pkcs12) {
        public static final String PASSWORD = "changeit";
    }

    /**
     * Issues a certificate for {@code subject} with the given subject alternative names (e.g.
     * {@code IP:127.0.0.1,DNS:localhost}), usable by a server and a client.
     */
    public Issued issue(String subject, String subjectAltNames) throws IOException {
        String base = name + "-" + subject;
        Path key = dir.resolve(base + ".key");
        Path csr = dir.resolve(base + ".csr");
        Path cert = dir.resolve(base + ".pem");
        Path ext = dir.resolve(base + ".ext");
        Path p12 = dir.resolve(base + ".p12");
        Files.writeString(ext, "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                + "extendedKeyUsage=serverAuth,clientAuth\n"
                + (subjectAltNames == null ? "" : "subjectAltName=" + subjectAltNames + "\n"));
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", csr.toString(),
                "-subj", "/CN=" + subject);
        openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", caPem().toString(), "-CAkey", caKey().toString(),
                "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", ext.toString());
        openssl(dir, "pkcs12", "-export", "-inkey", key.toString(), "-in", cert.toString(), "-certfile",
                caPem().toString(), "-name", subject, "-out", p12.toString(), "-passout", "pass:" + Issued.PASSWORD);
        return new Issued(key, cert, p12);
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
