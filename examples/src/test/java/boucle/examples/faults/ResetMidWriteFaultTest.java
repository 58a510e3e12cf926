package boucle.examples.faults;

import static boucle.examples.faults.FaultClients.random;
import static boucle.test.LineClient.openSocket;
import static org.junit.jupiter.api.Assertions.assertEquals;

import boucle.examples.ExampleHandlers;
import boucle.net.AsyncServer;
import boucle.net.BackgroundServer;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resets mid-write: clients send a lot, read a little (so the server is writing their echo, with
 * its queue full), then reset the connection ({@code SO_LINGER 0}: close sends RST). The server
 * must drop each of them alone: the steady clients beside them get every byte back, and nothing
 * is left behind (connections, buffers: the leak detector runs at PARANOID after each test).
 */
@Tag("fault")
class ResetMidWriteFaultTest {
    private static final int STEADY = 4;
    private static final int ROUNDS = 5;
    private static final int RUDE_PER_ROUND = 8;

    @Test
    @Timeout(60)
    void clientsThatResetWhileTheServerWritesCostTheOthersNoByte() throws Exception {
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(ExampleHandlers.echo()))) {
            List<CompletableFuture<Void>> steady = new ArrayList<>();
            for (int i = 0; i < STEADY; i++) {
                int client = i;
                steady.add(FaultClients.inThread("steady-" + client, () -> {
                    try (Socket socket = openSocket(server.port())) {
                        FaultClients.echoFullDuplex(socket, random(8 << 20, client), "steady client " + client);
                    }
                    return null;
                }));
            }
            for (int round = 0; round < ROUNDS; round++) {
                List<Socket> rude = new ArrayList<>();
                for (int i = 0; i < RUDE_PER_ROUND; i++) {
                    Socket socket = openSocket(server.port());
                    socket.setReceiveBufferSize(8192); // a small window: the server's writes back up quickly
                    FaultClients.writeAsync(socket, random(2 << 20, 100 + round * RUDE_PER_ROUND + i), false);
                    rude.add(socket);
                }
                for (Socket socket : rude) {
                    socket.getInputStream().readNBytes(1000); // the server is writing to it now
                }
                for (Socket socket : rude) {
                    socket.setSoLinger(true, 0); // close = reset, while its writer thread may still be sending
                    socket.close();
                }
            }
            for (CompletableFuture<Void> client : steady) {
                FaultClients.await(client, 40);
            }
            FaultClients.eventually("every connection ended", 10, () -> server.connectionCount() == 0);
            assertEquals(0, server.connectionCount());
            try (Socket after = openSocket(server.port())) { // and the server still serves
                FaultClients.echoFullDuplex(after, random(1 << 20, 99), "a client after the resets");
            } catch (IOException e) {
                throw new AssertionError("the server stopped serving after the resets", e);
            }
        }
    }
}
