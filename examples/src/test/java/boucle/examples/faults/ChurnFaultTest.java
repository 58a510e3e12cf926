package boucle.examples.faults;

import static boucle.examples.faults.FaultClients.random;
import static boucle.test.LineClient.openSocket;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.examples.ExampleHandlers;
import boucle.net.AsyncServer;
import boucle.net.BackgroundServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Churn: many short connections, a few at a time, each checked byte for byte, and nothing left
 * behind once they are gone (the server's count of connections back at zero, no buffer leaked).
 */
@Tag("fault")
class ChurnFaultTest {
    private static final int CLIENTS = 8;
    private static final int CONNECTIONS_EACH = 250;

    @Test
    @Timeout(60)
    void twoThousandShortEchoConnectionsAreEachServedExactly() throws Exception {
        AtomicLong verified = new AtomicLong();
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(ExampleHandlers.echo()));
             ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                done.add(CompletableFuture.runAsync(() -> {
                    Random sizes = new Random(client);
                    for (int i = 0; i < CONNECTIONS_EACH; i++) {
                        byte[] sent = random(1 + sizes.nextInt(8192), client * 1_000_000L + i);
                        try (Socket socket = openSocket(server.port())) {
                            socket.getOutputStream().write(sent);
                            socket.shutdownOutput(); // the echo ends at our end of stream
                            byte[] back = socket.getInputStream().readAllBytes();
                            FaultClients.assertSameBytes(sent, back, "connection " + i + " of client " + client);
                            verified.addAndGet(back.length);
                        } catch (Exception e) {
                            throw new AssertionError("connection " + i + " of client " + client + " failed", e);
                        }
                    }
                }, clients));
            }
            for (CompletableFuture<Void> client : done) {
                FaultClients.await(client, 50);
            }
            FaultClients.eventually("every connection ended", 10, () -> server.connectionCount() == 0);
            assertTrue(verified.get() > CLIENTS * CONNECTIONS_EACH, verified + " bytes verified");
        }
    }

    @Test
    @Timeout(60)
    void chatMembersComingAndGoingAreAllAnnouncedAndGreeted() throws Exception {
        int members = 300;
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(ExampleHandlers.chat()));
             Socket watcher = openSocket(server.port());
             ExecutorService clients = Executors.newFixedThreadPool(4)) {
            BufferedReader watching = new BufferedReader(new InputStreamReader(watcher.getInputStream(), UTF_8));
            assertTrue(watching.readLine().startsWith("* welcome, you are guest-1."));
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int i = 0; i < members; i++) {
                int member = i;
                done.add(CompletableFuture.runAsync(() -> {
                    try (Socket socket = openSocket(server.port())) {
                        socket.getOutputStream().write(("/nick m" + member + "\nhello from m" + member + "\n/quit\n")
                                .getBytes(UTF_8));
                        String said = new String(socket.getInputStream().readAllBytes(), UTF_8);
                        assertTrue(said.startsWith("* welcome, you are guest-") && said.endsWith("* bye\r\n"),
                                "member " + member + " got: " + said);
                    } catch (Exception e) {
                        throw new AssertionError("member " + member + " failed", e);
                    }
                }, clients));
            }
            for (CompletableFuture<Void> member : done) {
                FaultClients.await(member, 50);
            }
            // the watcher saw each member's line and leaving, each exactly once
            boolean[] spoke = new boolean[members];
            boolean[] left = new boolean[members];
            int leftCount = 0;
            while (leftCount < members) {
                String line = watching.readLine();
                assertTrue(line != null, "the watcher's connection ended");
                if (line.startsWith("m") && line.contains(": hello from m")) {
                    int member = Integer.parseInt(line.substring(1, line.indexOf(':')));
                    assertEquals("m" + member + ": hello from m" + member, line);
                    assertTrue(!spoke[member], "a line came twice: " + line);
                    spoke[member] = true;
                } else if (line.startsWith("* m") && line.endsWith(" left")) {
                    int member = Integer.parseInt(line.substring(3, line.length() - " left".length()));
                    assertTrue(spoke[member] && !left[member], "out of order or twice: " + line);
                    left[member] = true;
                    leftCount++;
                }
            }
            FaultClients.eventually("only the watcher is left", 10, () -> server.connectionCount() == 1);
        }
    }
}
