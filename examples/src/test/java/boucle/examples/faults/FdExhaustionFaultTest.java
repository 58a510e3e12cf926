package boucle.examples.faults;

import static boucle.examples.faults.FaultClients.random;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.examples.ServerProcess;
import boucle.test.LineClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Descriptor exhaustion: the echo server runs under {@code ulimit -n 256} and 400 clients connect
 * and stay. {@code accept} then fails with "Too many open files" over and over. The server must
 * survive it, serve the clients it holds, use no CPU while it waits for a descriptor, log a
 * bounded number of lines, and serve new clients once the 400 leave. Twice: with logging cold
 * (the first record the process ever logs is at EMFILE, when the JDK logger opens its files) and
 * warm (something was logged before).
 */
@Tag("fault")
class FdExhaustionFaultTest {
    private static final int OPEN_FILES = 256;
    private static final int CLIENTS = 400;
    private static final int PAYLOAD = 100;
    /** At least this many of the held clients must be served: the ~230 descriptors the limit leaves are used. */
    private static final int MIN_SERVED = 150;
    /** CPU the server may use over a quiet second while it holds the clients: a spinning accept uses ~100. */
    private static final long MAX_QUIET_TICKS = 40;
    /** Lines the server may log during the whole episode (~4 s): one per failed accept would be thousands. */
    private static final int MAX_LOG_LINES = 100;

    @Test
    @Timeout(90)
    void withLoggingColdTheServerSurvivesAndServesAgain() throws Exception {
        exhaustDescriptors(false);
    }

    @Test
    @Timeout(90)
    void withLoggingWarmTheServerSurvivesAndServesAgain() throws Exception {
        exhaustDescriptors(true);
    }

    private static void exhaustDescriptors(boolean warmLogging) throws Exception {
        try (ServerProcess server = ServerProcess.start("echo", OPEN_FILES)) {
            if (warmLogging) { // a peer reset is logged (one INFO line): the logger is up before the exhaustion
                try (Socket rude = LineClient.openSocket(server.port())) {
                    FaultClients.echoFullDuplex(rude, new byte[] {1, 2, 3}, "the first client");
                    rude.setSoLinger(true, 0);
                }
                FaultClients.eventually("the server logged the reset", 10, () -> !server.stderrLines().isEmpty());
            }
            int linesBefore = server.stderrLines().size();
            Holders holders = new Holders(server);
            try {
                // the server accepts what it can and echoes; a cold JVM on a loaded machine takes its time
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (holders.fullyEchoed() < MIN_SERVED && System.nanoTime() < deadline) {
                    holders.pump(TimeUnit.MILLISECONDS.toNanos(100));
                }
                holders.pump(TimeUnit.MILLISECONDS.toNanos(500)); // what is left to accept now waits for a descriptor
                long cpuBefore = server.cpuTicks();
                holders.pump(TimeUnit.SECONDS.toNanos(1)); // a quiet second: nothing new can be accepted
                long quietTicks = server.cpuTicks() - cpuBefore;
                assertTrue(server.isAlive(), "the server died while " + CLIENTS + " clients held its descriptors:\n"
                        + server.output());
                assertTrue(quietTicks <= MAX_QUIET_TICKS, "the server used " + quietTicks + "/100 s of CPU in a quiet"
                        + " second while out of descriptors (spinning?)");
                int served = holders.fullyEchoed();
                assertTrue(served >= MIN_SERVED, "only " + served + " of the clients held were served");
                System.out.println("fd exhaustion (logging " + (warmLogging ? "warm" : "cold") + "): " + served
                        + " of " + CLIENTS + " clients served while held, " + quietTicks + " CPU ticks in the quiet second");
            } finally {
                holders.close();
            }
            servesAgain(server);
            int logged = server.stderrLines().size() - linesBefore;
            System.out.println("fd exhaustion (logging " + (warmLogging ? "warm" : "cold") + "): " + logged
                    + " lines logged");
            assertTrue(server.isAlive(), "the server died after the clients left:\n" + server.output());
            assertTrue(logged <= MAX_LOG_LINES, logged + " lines logged during the exhaustion:\n" + server.output());
        }
    }

    /** Once the holders are gone, new clients are served, each byte checked. */
    private static void servesAgain(ServerProcess server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (int client = 0; client < 20; client++) {
            byte[] bytes = random(64 * 1024, client);
            while (true) {
                try (Socket socket = LineClient.openSocket(server.port())) {
                    FaultClients.echoFullDuplex(socket, bytes, "client " + client + " after the exhaustion");
                    break;
                } catch (IOException notYet) { // the server may still be taking the leavers out of its backlog
                    assertTrue(server.isAlive(), "the server died:\n" + server.output());
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the server does not serve again after the exhaustion", notYet);
                    }
                }
            }
        }
    }

    /** The clients that hold the server's descriptors: each sends a payload and checks what comes back. */
    private static final class Holders implements AutoCloseable {
        private final Selector selector = Selector.open();
        private final List<SocketChannel> channels = new ArrayList<>();
        private final byte[][] payloads = new byte[CLIENTS][];
        private final int[] received = new int[CLIENTS];
        private final ByteBuffer buffer = ByteBuffer.allocate(PAYLOAD);
        private final ServerProcess server;

        Holders(ServerProcess server) throws IOException {
            this.server = server;
            for (int i = 0; i < CLIENTS; i++) {
                SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port())); // the backlog takes it
                channel.configureBlocking(false);
                payloads[i] = random(PAYLOAD, 1000 + i);
                channel.write(ByteBuffer.wrap(payloads[i])); // fits in the socket's buffer: written at once
                channel.register(selector, SelectionKey.OP_READ, i);
                channels.add(channel);
            }
        }

        /** Reads and checks echoes for {@code nanos}. */
        void pump(long nanos) throws IOException {
            long deadline = System.nanoTime() + nanos;
            for (long left; (left = deadline - System.nanoTime()) > 0; ) {
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                for (SelectionKey key : selector.selectedKeys()) {
                    int client = (Integer) key.attachment();
                    buffer.clear();
                    int n;
                    try {
                        n = ((SocketChannel) key.channel()).read(buffer);
                    } catch (IOException reset) {
                        n = -1;
                    }
                    if (n < 0) {
                        throw new AssertionError("held client " + client + " was closed or reset; the server "
                                + (server.isAlive() ? "runs" : "is dead") + ":\n" + server.output());
                    }
                    byte[] got = Arrays.copyOf(buffer.array(), n);
                    int at = Arrays.mismatch(got, 0, n, payloads[client], received[client], received[client] + n);
                    if (at >= 0) {
                        throw new AssertionError("held client " + client + " got a wrong byte at " + (received[client] + at));
                    }
                    received[client] += n;
                }
                selector.selectedKeys().clear();
            }
        }

        int fullyEchoed() {
            return (int) Arrays.stream(received).filter(n -> n == PAYLOAD).count();
        }

        @Override
        public void close() throws IOException {
            for (SocketChannel channel : channels) {
                channel.close();
            }
            selector.close();
        }
    }
}
