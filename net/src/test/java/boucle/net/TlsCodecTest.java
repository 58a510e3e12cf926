package boucle.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Random;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SSLEngine codec alone, with no socket: two codecs, a client and a server, whose records are
 * carried between them by hand, whole or cut in pieces as small as one byte.
 */
class TlsCodecTest {
    private static SelfSignedCertificate certificate;
    private final ArrayDeque<ByteBuf> toServer = new ArrayDeque<>();
    private final ArrayDeque<ByteBuf> toClient = new ArrayDeque<>();
    private TlsCodec client;
    private TlsCodec server;

    @BeforeAll
    static void makeCertificate() throws Exception {
        certificate = SelfSignedCertificate.create();
    }

    @AfterEach
    void releaseEverything() {
        toServer.forEach(ByteBuf::release);
        toClient.forEach(ByteBuf::release);
        if (client != null) {
            client.release();
            server.release();
        }
    }

    private void connect(String protocol) {
        client = new TlsCodec(certificate.clientOptions().withProtocols(protocol).newEngine("127.0.0.1", 443), Net.allocator());
        server = new TlsCodec(certificate.serverOptions().withProtocols(protocol).newEngine(null, 0), Net.allocator());
    }

    /** Puts {@code records} on the wire, cut in pieces of {@code piece} bytes (0: whole). */
    private static void carry(ByteBuf records, ArrayDeque<ByteBuf> wire, int piece) {
        if (records == null) {
            return;
        }
        if (piece == 0) {
            wire.add(records);
            return;
        }
        try {
            while (records.isReadable()) {
                wire.add(records.readBytes(Math.min(piece, records.readableBytes())));
            }
        } finally {
            records.release();
        }
    }

    /** One step of one side's handshake; returns whether anything moved. */
    private static boolean step(TlsCodec side, ArrayDeque<ByteBuf> inbox, ArrayDeque<ByteBuf> outbox, int piece)
            throws SSLException {
        switch (side.handshakeStatus()) {
            case NEED_TASK -> side.runDelegatedTasks();
            case NEED_WRAP -> carry(side.wrap(null), outbox, piece);
            case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                boolean fed = !inbox.isEmpty();
                if (fed) {
                    side.feed(inbox.poll());
                }
                int before = side.bufferedBytes();
                assertNull(side.unwrap(), "no plaintext during the handshake");
                return fed || side.bufferedBytes() != before || side.handshakeStatus() != HandshakeStatus.NEED_UNWRAP;
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private void handshake(int piece) throws SSLException {
        client.engine().beginHandshake();
        server.engine().beginHandshake();
        for (int steps = 0; steps < 100_000; steps++) {
            boolean moved = step(client, toClient, toServer, piece) | step(server, toServer, toClient, piece);
            if (!moved) {
                assertEquals(HandshakeStatus.NOT_HANDSHAKING, client.handshakeStatus());
                assertEquals(HandshakeStatus.NOT_HANDSHAKING, server.handshakeStatus());
                return;
            }
        }
        fail("the handshake did not end");
    }

    /** Delivers the wire's pieces to {@code side} one by one, unwrapping after each; returns all plaintext. */
    private static byte[] receiveAll(TlsCodec side, ArrayDeque<ByteBuf> inbox) throws SSLException {
        ByteArrayOutputStream plaintext = new ByteArrayOutputStream();
        while (!inbox.isEmpty()) {
            side.feed(inbox.poll());
            for (ByteBuf some; (some = side.unwrap()) != null; ) {
                try {
                    plaintext.writeBytes(ByteBufUtil.getBytes(some));
                } finally {
                    some.release();
                }
            }
        }
        return plaintext.toByteArray();
    }

    private static ByteBuf bytes(byte[] content) {
        return Net.allocator().heapBuffer(content.length).writeBytes(content);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void handshakeThenPlaintextBothWays(String protocol) throws Exception {
        connect(protocol);
        handshake(0);
        assertEquals(protocol, client.engine().getSession().getProtocol());
        carry(client.wrap(bytes("hello, server".getBytes(StandardCharsets.UTF_8))), toServer, 0);
        assertEquals("hello, server", new String(receiveAll(server, toServer), StandardCharsets.UTF_8));
        carry(server.wrap(bytes("hello, client".getBytes(StandardCharsets.UTF_8))), toClient, 0);
        assertEquals("hello, client", new String(receiveAll(client, toClient), StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 1000})
    void recordsCutInPiecesAreDecodedOnceWhole(int piece) throws Exception {
        connect("TLSv1.3");
        handshake(piece); // every handshake message arrives in pieces too: BUFFER_UNDERFLOW, then whole
        byte[] sent = new byte[20_000]; // more than one record
        new Random(piece).nextBytes(sent);
        carry(client.wrap(bytes(sent)), toServer, piece);
        assertArrayEquals(sent, receiveAll(server, toServer));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 16_384, 1 << 20})
    void anyAmountOfPlaintextBecomesRecordsAndComesBackWhole(int size) throws Exception {
        connect("TLSv1.3");
        handshake(0);
        byte[] sent = new byte[size];
        new Random(size).nextBytes(sent);
        ByteBuf records = client.wrap(bytes(sent)); // more than one record past 16 KiB: BUFFER_OVERFLOW, grown
        assertTrue(records.readableBytes() > size, "records carry some overhead");
        carry(records, toServer, 0);
        assertArrayEquals(sent, receiveAll(server, toServer)); // many records in one input: several unwraps
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void closeNotifyEndsThePeersInbound(String protocol) throws Exception {
        connect(protocol);
        handshake(0);
        carry(client.closeOutbound(), toServer, 0);
        assertEquals(0, receiveAll(server, toServer).length);
        assertTrue(server.isInboundDone());
        assertNull(server.unwrap(), "nothing after close_notify");
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", "\u0016\u0003\u0001\u00ff\u00ffgarbage"})
    void plaintextOrGarbageIsAnSslException(String input) throws Exception {
        connect("TLSv1.3");
        server.engine().beginHandshake();
        server.feed(bytes(input.getBytes(StandardCharsets.ISO_8859_1)));
        assertThrows(SSLException.class, () -> {
            for (int i = 0; i < 10; i++) { // the engine may ask for tasks or wrap an alert first
                ByteBuf nothing = server.unwrap();
                assertNull(nothing);
                if (server.handshakeStatus() == HandshakeStatus.NEED_TASK) {
                    server.runDelegatedTasks();
                }
            }
        });
    }
}
