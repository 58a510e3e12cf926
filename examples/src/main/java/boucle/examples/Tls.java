package boucle.examples;

import boucle.net.SelfSignedCertificate;
import boucle.net.TlsOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Collections;

/**
 * The TLS setup of the server commands: the key store given with {@code --keystore}, or else a
 * self-signed certificate made at start. Either way the certificate's SHA-256 fingerprint is
 * printed, so a client that cannot check it against an authority can check it by eye
 * ({@code openssl s_client} prints the server's certificate; {@code openssl x509 -fingerprint -sha256}
 * prints its fingerprint).
 */
final class Tls {
    private Tls() {
    }

    static TlsOptions serverOptions(String name, ServerOptions options, PrintStream out)
            throws IOException, GeneralSecurityException {
        if (options.keyStore() != null) {
            char[] password = options.storePassword().toCharArray();
            TlsOptions tls = TlsOptions.server(options.keyStore(), password);
            out.println(name + ": TLS with the key of " + options.keyStore() + ", certificate SHA-256 fingerprint "
                    + SelfSignedCertificate.fingerprint(firstKeyCertificate(options, password)));
            return tls;
        }
        SelfSignedCertificate certificate = SelfSignedCertificate.create();
        out.println(name + ": TLS with a self-signed certificate made now for localhost, 127.0.0.1 and ::1"
                + " (clients must skip verification: -k, verify=0), SHA-256 fingerprint " + certificate.fingerprint());
        return certificate.serverOptions();
    }

    private static Certificate firstKeyCertificate(ServerOptions options, char[] password)
            throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(options.keyStore())) {
            store.load(in, password);
        }
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                return store.getCertificate(alias);
            }
        }
        throw new GeneralSecurityException(options.keyStore() + " holds no private key");
    }
}
