package boucle.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.net.AsyncServer;
import boucle.net.AsyncSocket;
import boucle.net.Net;
import boucle.net.BackgroundServer;
import boucle.test.LineClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The echo server on loopback: every byte back, in order, for any number of clients. */
class EchoTest {
    private static BackgroundServer echoServer() throws Exception {
        return BackgroundServer.start(AsyncServer.builder(Echo::echo));
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void tenMebibytesOfRandomBytesComeBackUnchanged() throws Exception {
        byte[] sent = random(10 << 20, 10);
        try (BackgroundServer server = echoServer(); Socket client = LineClient.openSocket(server.port())) {
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = client.getOutputStream();
                    for (int at = 0; at < sent.length; at += 100_000) { // many writes, as a real client does
                        out.write(sent, at, Math.min(100_000, sent.length - at));
                    }
                    client.shutdownOutput();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] received = client.getInputStream().readAllBytes();
            writing.get(20, TimeUnit.SECONDS);
            assertEquals(sent.length, received.length);
            assertArrayEquals(sent, received);
        }
    }

    @Test
    void twoHundredConcurrentClientsEachGetTheirOwnBytesBackInOrder() throws Exception {
        try (BackgroundServer server = echoServer(); Loop clients = Net.newLoop()) {
            List<Integer> bytesEchoed = clients.runTask(() -> {
                List<Task<Integer>> tasks = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    long seed = i;
                    tasks.add(Boucle.spawn(() -> exchange(server.port(), seed)));
                }
                return Boucle.gather(tasks.toArray(Task[]::new));
            });
            assertEquals(200, bytesEchoed.size());
            assertTrue(bytesEchoed.stream().allMatch(n -> n > 0));
        }
    }

    /** One client: a few messages of random sizes, each checked byte for byte as it comes back. */
    private static int exchange(int port, long seed) throws Exception {
        Random random = new Random(seed);
        int total = 0;
        try (AsyncSocket socket = AsyncSocket.connect("127.0.0.1", port, Duration.ofSeconds(10))) {
            socket.setReadTimeout(Duration.ofSeconds(10));
            for (int message = 0; message < 1 + random.nextInt(5); message++) {
                byte[] sent = random(1 + random.nextInt(32 * 1024), random.nextLong());
                socket.write(sent);
                ByteBuf back = socket.readExactly(sent.length);
                try {
                    assertArrayEquals(sent, ByteBufUtil.getBytes(back));
                } finally {
                    back.release();
                }
                total += sent.length;
            }
        }
        return total;
    }

    @Test
    void clientThatHalfClosesStillReadsEverythingBack() throws Exception {
        byte[] sent = random(1 << 20, 3);
        try (BackgroundServer server = echoServer(); Socket client = LineClient.openSocket(server.port())) {
            client.setReceiveBufferSize(1 << 21); // the whole echo fits: we write it all before reading
            client.getOutputStream().write(sent);
            client.shutdownOutput();
            assertArrayEquals(sent, client.getInputStream().readAllBytes());
        }
    }

    @Test
    void clientThatResetsMidStreamDoesNotDisturbTheOthers() throws Exception {
        try (BackgroundServer server = echoServer(); Socket steady = LineClient.openSocket(server.port())) {
            try (Socket rude = LineClient.openSocket(server.port())) {
                rude.getOutputStream().write(random(1 << 20, 4)); // the server is mid-write when the reset comes
                rude.getInputStream().readNBytes(1000);
                rude.setSoLinger(true, 0); // close = reset
            }
            byte[] ping = "still echoing\n".getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 100; i++) {
                steady.getOutputStream().write(ping);
                assertArrayEquals(ping, steady.getInputStream().readNBytes(ping.length));
            }
            assertEquals(1, server.connectionCount(), "only the steady client is left");
        }
    }

    @Test
    void helpDescribesTheOptions() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        assertEquals(0, Main.run(new String[] {"echo", "--help"}, new PrintStream(text, true, StandardCharsets.UTF_8)));
        String usage = text.toString(StandardCharsets.UTF_8);
        assertTrue(usage.contains("--host") && usage.contains("--port") && usage.contains("7000"), usage);
    }

    @Test
    void badOptionsAndABusyPortAreClearErrors() throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(2, Main.run(new String[] {"echo", "--port", "seventy"}, quiet));
        assertEquals(2, Main.run(new String[] {"echo", "--verbose"}, quiet));
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertEquals(1, Main.run(new String[] {"echo", "--port", String.valueOf(taken.getLocalPort())}, quiet));
        }
    }

}
