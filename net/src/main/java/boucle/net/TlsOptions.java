package boucle.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * How one side of a TLS connection behaves: the {@link SSLContext} (keys and trusted
 * certificates), the protocol versions, client authentication, ALPN, the handshake timeout. The
 * JDK's own {@link SSLEngine} does the cryptography; nothing else is needed.
 *
 * <pre>{@code
 * TlsOptions server = TlsOptions.server(Path.of("server.p12"), password);        // a PKCS12 key store
 * TlsOptions client = TlsOptions.client();                                       // the JDK's trusted CAs
 * TlsOptions testing = TlsOptions.client(SelfSignedCertificate.create().trustingContext());
 * }</pre>
 *
 * <h2>Defaults</h2>
 * <ul>
 *   <li>TLS 1.3 and TLS 1.2 only.</li>
 *   <li>A client verifies the server's certificate <em>and</em> that it names the host it connected
 *       to (as HTTPS does); turn the name check off only for tests, with
 *       {@link #withoutHostnameVerification()}.</li>
 *   <li>A server asks for no client certificate ({@link ClientAuth#NONE}).</li>
 *   <li>A handshake that has not finished within 10 s fails, and the connection closes.</li>
 *   <li>The engine's delegated tasks (certificate checks, key exchange) run inline on the loop's
 *       thread, as Netty's {@code SslHandler} does by default: they take a fraction of a
 *       millisecond to a few milliseconds. {@link #withDelegatedTasksInThread()} runs them on a
 *       worker thread instead ({@code Boucle.runInThread}), so the loop never waits for them, at the
 *       cost of two thread hand-offs per handshake.</li>
 * </ul>
 *
 * Immutable: each {@code with...} returns a new instance. Callable from any thread.
 */
public final class TlsOptions {
    /** Whether and how a server asks the client for a certificate. */
    public enum ClientAuth { NONE, WANT, NEED }

    static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    private static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final SSLContext context;
    private final boolean client;
    private final List<String> protocols;
    private final ClientAuth clientAuth;
    private final List<String> applicationProtocols;
    private final boolean verifyHostname;
    private final Duration handshakeTimeout;
    private final boolean delegatedTasksInThread;

    private TlsOptions(SSLContext context, boolean client, List<String> protocols, ClientAuth clientAuth,
            List<String> applicationProtocols, boolean verifyHostname, Duration handshakeTimeout,
            boolean delegatedTasksInThread) {
        this.context = context;
        this.client = client;
        this.protocols = protocols;
        this.clientAuth = clientAuth;
        this.applicationProtocols = applicationProtocols;
        this.verifyHostname = verifyHostname;
        this.handshakeTimeout = handshakeTimeout;
        this.delegatedTasksInThread = delegatedTasksInThread;
    }

    /** A server side whose keys (and, for client authentication, trusted certificates) are in {@code context}. */
    public static TlsOptions server(SSLContext context) {
        return new TlsOptions(Objects.requireNonNull(context, "context"), false, DEFAULT_PROTOCOLS, ClientAuth.NONE,
                List.of(), false, DEFAULT_HANDSHAKE_TIMEOUT, false);
    }

    /**
     * A server side with the key and certificate chain of a PKCS12 key store file (the one entry
     * with a private key; its password protects the key too, as {@code keytool} makes them).
     */
    public static TlsOptions server(Path pkcs12, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = loadPkcs12(pkcs12, password);
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return server(context);
    }

    /** A client side that trusts the JDK's certificate authorities ({@code cacerts}). */
    public static TlsOptions client() throws GeneralSecurityException {
        return client(SSLContext.getDefault());
    }

    /** A client side with the trusted certificates (and, for client authentication, keys) of {@code context}. */
    public static TlsOptions client(SSLContext context) {
        return new TlsOptions(Objects.requireNonNull(context, "context"), true, DEFAULT_PROTOCOLS, ClientAuth.NONE,
                List.of(), true, DEFAULT_HANDSHAKE_TIMEOUT, false);
    }

    /** An {@link SSLContext} that trusts exactly the certificates of a PKCS12 or JKS trust store file. */
    public static SSLContext trusting(Path trustStore, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = loadPkcs12(trustStore, password);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static KeyStore loadPkcs12(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12"); // reads JKS too (the JDK's keystore.type.compat)
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        }
        return store;
    }

    /** The protocol versions allowed, e.g. {@code "TLSv1.3"} alone (default: TLS 1.3 and 1.2). */
    public TlsOptions withProtocols(String... protocols) {
        if (protocols.length == 0) {
            throw new IllegalArgumentException("at least one protocol version is needed");
        }
        return new TlsOptions(context, client, List.of(protocols), clientAuth, applicationProtocols, verifyHostname,
                handshakeTimeout, delegatedTasksInThread);
    }

    /** Whether a server asks for a client certificate (default {@link ClientAuth#NONE}); servers only. */
    public TlsOptions withClientAuth(ClientAuth clientAuth) {
        if (client) {
            throw new IllegalStateException("client authentication is a server option");
        }
        return new TlsOptions(context, client, protocols, Objects.requireNonNull(clientAuth, "clientAuth"),
                applicationProtocols, verifyHostname, handshakeTimeout, delegatedTasksInThread);
    }

    /**
     * The ALPN protocols, in order of preference (e.g. {@code "h2", "http/1.1"}): a client offers
     * them, a server picks the first of its own list that the client offered.
     * {@link AsyncSocket#applicationProtocol()} tells the outcome.
     */
    public TlsOptions withApplicationProtocols(String... protocols) {
        return new TlsOptions(context, client, this.protocols, clientAuth, List.of(protocols), verifyHostname,
                handshakeTimeout, delegatedTasksInThread);
    }

    /**
     * A client that checks the certificate chain but not that it names the host: for tests and
     * self-signed setups only, since any holder of a trusted certificate could then pose as the server.
     */
    public TlsOptions withoutHostnameVerification() {
        return new TlsOptions(context, client, protocols, clientAuth, applicationProtocols, false, handshakeTimeout,
                delegatedTasksInThread);
    }

    /** The longest a handshake may take (default 10 s); past it the connection closes. */
    public TlsOptions withHandshakeTimeout(Duration timeout) {
        if (!timeout.isPositive()) {
            throw new IllegalArgumentException("a handshake timeout must be positive, not " + timeout);
        }
        return new TlsOptions(context, client, protocols, clientAuth, applicationProtocols, verifyHostname, timeout,
                delegatedTasksInThread);
    }

    /** Runs the engine's delegated tasks on a worker thread instead of the loop's (see the class javadoc). */
    public TlsOptions withDelegatedTasksInThread() {
        return new TlsOptions(context, client, protocols, clientAuth, applicationProtocols, verifyHostname,
                handshakeTimeout, true);
    }

    public boolean isClient() {
        return client;
    }

    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    boolean delegatedTasksInThread() {
        return delegatedTasksInThread;
    }

    /**
     * A new engine for one connection. {@code peerHost} (the name the client connected to) is what a
     * client sends as SNI and checks the certificate against; {@code null} on a server.
     */
    SSLEngine newEngine(String peerHost, int peerPort) {
        SSLEngine engine = peerHost == null ? context.createSSLEngine() : context.createSSLEngine(peerHost, peerPort);
        engine.setUseClientMode(client);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(protocols.toArray(String[]::new));
        if (!applicationProtocols.isEmpty()) {
            parameters.setApplicationProtocols(applicationProtocols.toArray(String[]::new));
        }
        if (client) {
            if (verifyHostname) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            }
        } else {
            parameters.setNeedClientAuth(clientAuth == ClientAuth.NEED);
            if (clientAuth == ClientAuth.WANT) {
                parameters.setWantClientAuth(true);
            }
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    @Override
    public String toString() {
        return "TlsOptions[" + (client ? "client" : "server") + ", " + protocols
                + (client ? (verifyHostname ? ", hostname verified" : ", hostname NOT verified") : ", client auth " + clientAuth)
                + (applicationProtocols.isEmpty() ? "" : ", ALPN " + applicationProtocols)
                + ", handshake timeout " + handshakeTimeout.toMillis() + " ms"
                + (delegatedTasksInThread ? ", delegated tasks in a thread" : "") + "]";
    }
}
