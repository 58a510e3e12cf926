package boucle.examples.faults;

import static boucle.examples.faults.FaultClients.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.examples.ChatClient;
import boucle.examples.ServerProcess;
import boucle.test.LineClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Shutdown under load: SIGTERM (what {@code kill} and service managers send) while clients are
 * active. The server must run its graceful shutdown and exit 0: chat tells every member
 * {@code * server shutting down} before closing, no line is lost or reordered before it, and
 * members that were only listening (parked in a read) cost no grace period.
 */
@Tag("fault")
class ShutdownUnderLoadFaultTest {
    private static final int TALKERS = 3;
    private static final int LISTENERS = 7;
    private static final Pattern SAID = Pattern.compile("guest-\\d+: talker (\\d+) line (\\d+)");

    @Test
    @Timeout(60)
    void sigtermWhileMembersTalkTellsEveryoneAndExitsZero() throws Exception {
        try (ServerProcess server = ServerProcess.start("chat")) {
            List<ChatClient> listeners = new ArrayList<>();
            for (int i = 0; i < LISTENERS; i++) {
                listeners.add(new ChatClient(server.port()));
            }
            for (ChatClient listener : listeners) { // in the room before any talker says a word
                assertTrue(listener.awaitWelcome(10_000), "a listener was never welcomed");
            }
            List<ChatClient> talkers = new ArrayList<>();
            List<CompletableFuture<Integer>> talking = new ArrayList<>();
            for (int t = 0; t < TALKERS; t++) {
                ChatClient talker = new ChatClient(server.port());
                talkers.add(talker);
                talking.add(talk(talker, t));
            }
            ChatClient watcher = new ChatClient(server.port()); // not checked: its lines are taken as they come
            for (int t = 0; t < TALKERS; t++) { // every talker is under way
                String line;
                do {
                    line = watcher.next();
                } while (!line.matches("guest-\\d+: talker " + t + " line [1-9]\\d\\d+"));
            }
            long signalled = System.nanoTime();
            server.terminate();
            int status = server.awaitExit(Duration.ofSeconds(20));
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            assertEquals(0, status, "the exit status after SIGTERM:\n" + server.output());
            for (ChatClient listener : listeners) {
                assertTrue(listener.awaitEnd(10_000), "a listener's connection did not end");
                assertNothingLostThenToldOfTheShutdown(listener);
            }
            int sent = 0;
            for (CompletableFuture<Integer> talker : talking) {
                sent += FaultClients.await(talker, 20);
            }
            System.out.println("shutdown under load: " + sent + " lines sent by " + TALKERS + " talkers to "
                    + LISTENERS + " listeners, exit status " + status + " " + stopMillis + " ms after SIGTERM");
            // the listeners were parked in a read: they learn of the shutdown at once, not after the 5 s grace
            assertTrue(stopMillis < 4_000, "the server took " + stopMillis + " ms to stop");
        }
    }

    /** Sends numbered lines, about one every 2 ms, until the server closes the connection; returns how many. */
    private static CompletableFuture<Integer> talk(ChatClient talker, int id) {
        return FaultClients.inThread("talker-" + id, () -> {
            int line = 0;
            try {
                while (!talker.hasEnded()) {
                    talker.send("talker " + id + " line " + line);
                    line++;
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // its pace, not a wait for the server
                }
            } catch (IOException closedByTheServer) {
                // the shutdown: expected
            }
            return line;
        });
    }

    /** Each talker's lines arrive in order with none missing, then the notice, then nothing. */
    private static void assertNothingLostThenToldOfTheShutdown(ChatClient listener) {
        List<String> lines = new ArrayList<>(listener.unread());
        int[] next = new int[TALKERS];
        int notice = lines.indexOf("* server shutting down");
        assertTrue(notice >= 0, "a listener was not told that the server shuts down; its last lines: "
                + lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        assertEquals(lines.size() - 1, notice, "lines after the notice: " + lines.subList(notice, lines.size()));
        for (String line : lines.subList(0, notice)) {
            Matcher said = SAID.matcher(line);
            if (said.matches()) {
                int talker = Integer.parseInt(said.group(1));
                assertEquals(next[talker], Integer.parseInt(said.group(2)), "a line of talker " + talker
                        + " is missing or out of order");
                next[talker]++;
            }
        }
        assertTrue(Arrays.stream(next).allMatch(n -> n > 100), "too few lines before the stop: " + Arrays.toString(next));
    }

    @Test
    @Timeout(60)
    void sigtermWhileClientsStreamEndsEachEchoCleanlyAndExitsZero() throws Exception {
        try (ServerProcess server = ServerProcess.start("echo")) {
            List<Socket> clients = new ArrayList<>();
            List<CompletableFuture<Integer>> readers = new ArrayList<>();
            byte[][] streams = new byte[4][];
            AtomicLong[] echoed = new AtomicLong[streams.length];
            for (int i = 0; i < streams.length; i++) {
                echoed[i] = new AtomicLong();
                streams[i] = random(64 << 20, i); // more than they can send before the signal
                Socket client = LineClient.openSocket(server.port());
                clients.add(client);
                FaultClients.writeAsync(client, streams[i], false); // ends with an error when the server closes
                readers.add(readPrefix(client, streams[i], echoed[i]));
            }
            for (AtomicLong progress : echoed) { // every stream is under way
                FaultClients.eventually("the stream is under way", 10, () -> progress.get() > 1 << 20);
            }
            server.terminate();
            assertEquals(0, server.awaitExit(Duration.ofSeconds(20)), "the exit status after SIGTERM:\n" + server.output());
            long verified = 0;
            for (CompletableFuture<Integer> reader : readers) {
                verified += FaultClients.await(reader, 20); // each got an exact prefix of its bytes
            }
            System.out.println("shutdown under load: " + (verified >> 20) + " MiB echoed and verified before the stop");
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    /**
     * Reads until the stream ends and checks that what came is the start of {@code sent}; returns its
     * length. A reset at the end is allowed (the client was still sending when the server closed,
     * which makes the kernel reset), but not a changed or missing byte before it.
     */
    private static CompletableFuture<Integer> readPrefix(Socket client, byte[] sent, AtomicLong progress) {
        return FaultClients.inThread("echo-reader", () -> {
            int at = 0;
            byte[] buffer = new byte[65536];
            try {
                InputStream in = client.getInputStream();
                for (int n; (n = in.read(buffer)) > 0; at += n) {
                    if (Arrays.mismatch(buffer, 0, n, sent, at, at + n) >= 0) {
                        throw new AssertionError("a byte after " + at + " came back changed");
                    }
                    progress.set(at + n);
                }
            } catch (IOException reset) {
                // the end of the stream, the hard way: everything read before it was checked
            }
            return at;
        });
    }
}
