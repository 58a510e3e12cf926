package boucle.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A fresh key pair and a certificate signed by itself, for examples and tests: no authority vouches
 * for it, so a client must be told to trust it ({@link #trustingContext()}), or skip the check
 * ({@code openssl s_client} only warns; {@code socat} needs {@code verify=0}).
 *
 * <pre>{@code
 * SelfSignedCertificate certificate = SelfSignedCertificate.create();
 * System.out.println("SHA-256 fingerprint " + certificate.fingerprint());
 * AsyncServer.builder(handler).tls(certificate.serverOptions()).bind();
 * }</pre>
 *
 * <h2>How it is made</h2>
 * The JDK has no public API to sign a certificate, so this runs the JDK's own {@code keytool}
 * ({@code $JAVA_HOME/bin/keytool}) in a subprocess: an EC P-256 key, signed with SHA256withECDSA,
 * valid 30 days, for {@code CN=localhost} with the names {@code localhost}, {@code 127.0.0.1} and
 * {@code ::1} (so a client that verifies host names accepts it on loopback). The PKCS12 file lives
 * in a temporary directory for the time keytool needs it, its random password is passed through
 * the environment (not the command line, which other users can see), and both are gone once the
 * key store is loaded. It takes about a second (one JVM start). Callable from any thread; it
 * blocks, so call it before the loop starts, or through {@code Boucle.runInThread}.
 */
public final class SelfSignedCertificate {
    private static final String ALIAS = "boucle";

    private final KeyStore keyStore;
    private final char[] password;
    private final X509Certificate certificate;

    private SelfSignedCertificate(KeyStore keyStore, char[] password) throws GeneralSecurityException {
        this.keyStore = keyStore;
        this.password = password;
        this.certificate = (X509Certificate) keyStore.getCertificate(ALIAS);
    }

    /** A certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1}. */
    public static SelfSignedCertificate create() throws IOException {
        return create("localhost", List.of("dns:localhost", "ip:127.0.0.1", "ip:::1"));
    }

    /**
     * A certificate for {@code CN=commonName} with the given subject alternative names, written as
     * keytool wants them ({@code dns:example.test}, {@code ip:10.0.0.1}).
     */
    public static SelfSignedCertificate create(String commonName, List<String> alternativeNames) throws IOException {
        byte[] secret = new byte[18];
        new SecureRandom().nextBytes(secret);
        char[] password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret).toCharArray();
        Path directory = Files.createTempDirectory("boucle-cert");
        Path file = directory.resolve("self-signed.p12");
        try {
            runKeytool(file, password, commonName, alternativeNames);
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(file)) {
                store.load(in, password);
            }
            return new SelfSignedCertificate(store, password);
        } catch (GeneralSecurityException e) {
            throw new IOException("keytool made a key store that cannot be read: " + e, e);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(directory);
        }
    }

    private static void runKeytool(Path file, char[] password, String commonName, List<String> names) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new ArrayList<>(List.of(keytool.toString(), "-genkeypair", "-alias", ALIAS,
                "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                "-dname", "CN=" + commonName, "-validity", "30",
                "-storetype", "PKCS12", "-keystore", file.toString(),
                "-storepass:env", "BOUCLE_STOREPASS", "-keypass:env", "BOUCLE_STOREPASS", "-noprompt"));
        if (!names.isEmpty()) {
            command.addAll(List.of("-ext", "SAN=" + String.join(",", names)));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("BOUCLE_STOREPASS", new String(password));
        Process process = builder.start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new IOException("keytool did not finish within 60 s");
            }
            if (process.exitValue() != 0) {
                throw new IOException("keytool failed (exit " + process.exitValue() + "): " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool made a certificate", e);
        } finally {
            process.destroy();
        }
    }

    /** The certificate (which is also its own issuer). */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The SHA-256 fingerprint of the certificate, as {@code openssl x509 -fingerprint -sha256} prints it. */
    public String fingerprint() {
        return fingerprint(certificate);
    }

    /** The SHA-256 fingerprint of {@code certificate}: upper-case hex bytes joined by colons. */
    public static String fingerprint(Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK: " + e, e);
        }
    }

    /** Server options that present this certificate. */
    public TlsOptions serverOptions() {
        return TlsOptions.server(serverContext());
    }

    /** An {@link SSLContext} with this key and certificate, for a server. */
    public SSLContext serverContext() {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's TLS provider refused a key store it made: " + e, e);
        }
    }

    /** An {@link SSLContext} that trusts this certificate and no other, for a client. */
    public SSLContext trustingContext() {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry(ALIAS, certificate);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the JDK's TLS provider refused a certificate it made: " + e, e);
        }
    }

    /** Client options that trust this certificate (host names verified: it names the loopback addresses). */
    public TlsOptions clientOptions() {
        return TlsOptions.client(trustingContext());
    }

    @Override
    public String toString() {
        return "SelfSignedCertificate[" + certificate.getSubjectX500Principal() + ", SHA-256 " + fingerprint() + "]";
    }
}
