package boucle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.core.TaskFailedException;
import boucle.net.uring.IoUring;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RingAcceptor}: accepting on an io_uring loop with one multishot accept. */
class RingAcceptorTest {

    @BeforeEach
    void ioUringHere() {
        assumeTrue(IoUring.probe().available() && ChannelDescriptor.isReadable(), IoUring.probe().reason());
    }

    @Test
    void aBurstOfClientsIsAcceptedByOneMultishotAndServedInOrder() throws Exception {
        try (Loop loop = Net.newLoop(Backend.IO_URING);
             AsyncServerSocket listener = AsyncServerSocket.bind("127.0.0.1", 0, 64)) {
            List<AsyncSocket> clients = new ArrayList<>();
            loop.runTask(() -> {
                Task<List<String>> acceptor = loop.spawn(() -> {
                    List<String> greetings = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        try (AsyncSocket connection = listener.accept()) {
                            greetings.add(connection.readLine(100));
                        }
                    }
                    return greetings;
                });
                for (int i = 0; i < 10; i++) {
                    AsyncSocket client = AsyncSocket.connect("127.0.0.1", listener.port(), Duration.ofSeconds(5));
                    client.write("client " + i + "\n");
                    clients.add(client);
                }
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    expected.add("client " + i);
                }
                assertEquals(expected, acceptor.await());
                assertTrue(listener.ringAcceptor().isArmed(), "one multishot accept still armed for the next");
                clients.forEach(AsyncSocket::close);
                return null;
            });
        }
    }

    @Test
    void connectionsNobodyTakesStopTheAcceptAtTheBoundAndCloseWithTheListener() throws Exception {
        int clients = RingAcceptor.MAX_QUEUED + 8;
        List<Socket> peers = new ArrayList<>();
        try (Loop loop = Net.newLoop(Backend.IO_URING)) {
            AsyncServerSocket listener = AsyncServerSocket.bind("127.0.0.1", 0, 128);
            loop.runTask(() -> {
                try (AsyncSocket first = connectAndAccept(loop, listener)) { // arms the multishot accept
                    for (int i = 0; i < clients; i++) {
                        peers.add(new Socket("127.0.0.1", listener.port())); // the kernel completes the handshake
                    }
                    for (int i = 0; i < 200 && listener.ringAcceptor().queued() < RingAcceptor.MAX_QUEUED; i++) {
                        Boucle.sleep(Duration.ofMillis(1));
                    }
                    for (int i = 0; i < 200 && listener.ringAcceptor().isArmed(); i++) {
                        Boucle.sleep(Duration.ofMillis(1));
                    }
                    assertFalse(listener.ringAcceptor().isArmed(), "cancelled once the bound was reached");
                    int queued = listener.ringAcceptor().queued(); // a burst already in the backlog may all come first
                    assertTrue(queued >= RingAcceptor.MAX_QUEUED, "queued: " + queued);
                    for (int i = 0; i < 8; i++) {
                        peers.add(new Socket("127.0.0.1", listener.port()));
                    }
                    for (int i = 0; i < 20; i++) {
                        Boucle.sleep(Duration.ofMillis(1)); // turns in which a live accept would take them
                    }
                    assertEquals(queued, listener.ringAcceptor().queued(), "later clients wait in the kernel's backlog");
                }
                listener.close();
                return null;
            });
        }
        for (Socket peer : peers) {
            try (peer; InputStream in = peer.getInputStream()) {
                peer.setSoTimeout(10_000);
                int read;
                try {
                    read = in.read();
                } catch (java.net.SocketException reset) {
                    read = -1; // reset by the listener's close: in its backlog, never accepted
                }
                assertEquals(-1, read, "each unserved connection is closed, none leaked");
            }
        }
    }

    @Test
    void closingTheListenerWakesAParkedAcceptor() throws Exception {
        try (Loop loop = Net.newLoop(Backend.IO_URING)) {
            AsyncServerSocket listener = AsyncServerSocket.bind("127.0.0.1", 0, 8);
            loop.runTask(() -> {
                Task<AsyncSocket> acceptor = loop.spawn(listener::accept);
                Boucle.interrupt();
                Boucle.interrupt(); // parked on the ring's accept
                listener.close();
                Throwable failed = assertThrows(TaskFailedException.class, acceptor::await).getCause();
                assertInstanceOf(SocketClosedException.class, failed);
                assertTrue(failed.getMessage().contains("was closed"), failed.getMessage());
                return null;
            });
        }
    }

    private static AsyncSocket connectAndAccept(Loop loop, AsyncServerSocket listener) throws Exception {
        Task<AsyncSocket> accepting = loop.spawn(listener::accept);
        try (AsyncSocket client = AsyncSocket.connect("127.0.0.1", listener.port(), Duration.ofSeconds(5))) {
            return accepting.await();
        }
    }
}
