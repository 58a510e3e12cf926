package boucle.examples.faults;

import static boucle.examples.faults.FaultClients.random;
import static boucle.test.LineClient.openSocket;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import boucle.examples.ExampleHandlers;
import boucle.net.AsyncServer;
import boucle.net.BackgroundServer;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Half-close: a client sends everything, shuts its output down, and must still receive every byte
 * of the reply, then the end of the stream (not a reset, not a hang).
 */
@Tag("fault")
class HalfCloseFaultTest {
    private static final int FIVE_MIB = 5 << 20;

    @Test
    @Timeout(30)
    void fiveMebibytesThenShutdownOutputComeBackExactlyThenEndOfStream() throws Exception {
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(ExampleHandlers.echo()))) {
            halfCloseExchange(server.port(), 5);
        }
    }

    @Test
    @Timeout(30)
    void fourHalfClosingClientsAtOnceEachGetTheirOwnFiveMebibytes() throws Exception {
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(ExampleHandlers.echo()))) {
            List<CompletableFuture<Void>> clients = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                long seed = 10 + i;
                clients.add(FaultClients.inThread("half-closer-" + i, () -> {
                    halfCloseExchange(server.port(), seed);
                    return null;
                }));
            }
            for (CompletableFuture<Void> client : clients) {
                FaultClients.await(client, 25);
            }
            FaultClients.eventually("every connection ended", 10, () -> server.connectionCount() == 0);
        }
    }

    /** Sends 5 MiB from one thread and reads the echo on this one; the write half closes when done. */
    private static void halfCloseExchange(int port, long seed) throws Exception {
        byte[] sent = random(FIVE_MIB, seed);
        try (Socket client = openSocket(port)) {
            CompletableFuture<Void> writing = FaultClients.writeAsync(client, sent, true);
            byte[] back = FaultClients.readExactly(client.getInputStream(), sent.length);
            FaultClients.await(writing, 10);
            FaultClients.assertSameBytes(sent, back, "the 5 MiB echo");
            assertEquals(-1, client.getInputStream().read(), "after the echo the stream ends");
        }
    }

    @Test
    @Timeout(30)
    void aChatClientThatHalfClosesGetsEveryReplyThenTheEnd() throws Exception {
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(ExampleHandlers.chat()));
             Socket client = openSocket(server.port())) {
            client.getOutputStream().write("/nick halfway\n/who\n/dance\n".getBytes(UTF_8));
            client.shutdownOutput();
            String replies = new String(client.getInputStream().readAllBytes(), UTF_8); // up to the end of stream
            assertEquals(List.of(
                    "* welcome, you are guest-1. Commands: /nick NAME, /who, /quit",
                    "* guest-1 is now known as halfway",
                    "* here: halfway",
                    "! unknown command /dance; try /nick NAME, /who, /quit"), replies.lines().toList());
            FaultClients.eventually("the connection ended", 10, () -> server.connectionCount() == 0);
        }
    }
}
