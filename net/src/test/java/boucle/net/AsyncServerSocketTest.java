package boucle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.core.TaskFailedException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AsyncServerSocketTest {

    @Test
    void portZeroBindsAnEphemeralPort() throws Exception {
        try (AsyncServerSocket listener = AsyncServerSocket.bind("127.0.0.1", 0, 4)) {
            assertTrue(listener.port() > 0);
            assertEquals(listener.port(), ((java.net.InetSocketAddress) listener.localAddress()).getPort());
        }
    }

    @Test
    void acceptParksUntilAClientConnects() throws Exception {
        try (Loop loop = Net.newLoop(); AsyncServerSocket listener = AsyncServerSocket.bind("127.0.0.1", 0, 4)) {
            loop.runTask(() -> {
                Task<AsyncSocket> accepting = loop.spawn(listener::accept);
                Boucle.interrupt();
                assertEquals(Task.State.PARKED, accepting.state());
                try (AsyncSocket client = AsyncSocket.connect("127.0.0.1", listener.port(), Duration.ofSeconds(5));
                     AsyncSocket accepted = accepting.await()) {
                    assertEquals(client.localAddress(), accepted.remoteAddress());
                }
            });
        }
    }

    @Test
    void closingWakesTheAcceptingTaskWithAClosedError() throws Exception {
        try (Loop loop = Net.newLoop(); AsyncServerSocket listener = AsyncServerSocket.bind("127.0.0.1", 0, 4)) {
            loop.runTask(() -> {
                Task<AsyncSocket> accepting = loop.spawn(listener::accept);
                Boucle.interrupt();
                listener.close();
                Throwable closed = assertThrows(TaskFailedException.class, accepting::await).getCause();
                assertInstanceOf(SocketClosedException.class, closed);
                assertTrue(closed.getMessage().contains("listening socket"), closed.getMessage());
            });
        }
    }
}
