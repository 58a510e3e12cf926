package boucle.net;

import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/** Pieces of TLS that the tests' bad peers send: half a ClientHello, half a record. */
final class TlsFragments {
    private TlsFragments() {
    }

    /** The first half of a ClientHello from {@code clientOptions}: what a peer gone mid-handshake sent. */
    static byte[] halfAClientHello(TlsOptions clientOptions) throws SSLException {
        SSLEngine client = clientOptions.newEngine("127.0.0.1", 443);
        client.beginHandshake();
        return firstHalf(client, new byte[0]);
    }

    /** The first half of the record that {@code engine} (past its handshake) seals {@code plaintext} in. */
    static byte[] halfARecord(SSLEngine engine, byte[] plaintext) throws SSLException {
        return firstHalf(engine, plaintext);
    }

    private static byte[] firstHalf(SSLEngine engine, byte[] plaintext) throws SSLException {
        ByteBuffer records = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.wrap(plaintext), records);
        return Arrays.copyOf(records.array(), records.position() / 2);
    }
}
