package boucle.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak's clients, for one phase: a mix of long echo streams, short echo connections, resets
 * mid-write, and a chat room with talkers, listeners and members coming and going. Every byte
 * echoed and every chat line is checked; a problem is recorded, never thrown past a client's
 * thread, and {@link #stop()} returns them all with the counts.
 *
 * <p>Each client runs on a platform thread of its own, blocking, as independent programs would.
 */
final class SoakLoad {
    private static final int STREAMS = 4;
    private static final int CHURNERS = 2;
    private static final int RESETTERS = 1;
    private static final int LISTENERS = 40;
    private static final int TALKERS = 4;
    private static final long TALK_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final Pattern TALK = Pattern.compile(".*: soak (\\d+) (\\d+)");

    /** What a phase did. */
    record Totals(long echoBytesVerified, long connections, long resets, long chatLinesSent,
                  long chatLinesVerified, List<String> problems) {
    }

    private final int echoPort;
    private final int chatPort;
    private final long seed;
    private final List<Thread> threads = new ArrayList<>();
    private final Queue<String> problems = new ConcurrentLinkedQueue<>();
    private final AtomicLong echoBytes = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong resets = new AtomicLong();
    private final AtomicLong linesVerified = new AtomicLong();
    private final long[] linesSent = new long[TALKERS];
    private final List<Listener> listeners = new ArrayList<>();
    private volatile boolean stopping;
    private volatile boolean talkersDone;

    SoakLoad(int echoPort, int chatPort, long seed) {
        this.echoPort = echoPort;
        this.chatPort = chatPort;
        this.seed = seed;
    }

    /** Starts every client; they run until {@link #stop()}. */
    void start() throws IOException {
        for (int i = 0; i < LISTENERS; i++) { // seated before anyone talks: they must see every line
            Listener listener = new Listener(connect(chatPort));
            listeners.add(listener);
            spawn("soak-listener-" + i, listener::run);
        }
        for (Listener listener : listeners) {
            listener.awaitWelcome();
        }
        for (int i = 0; i < STREAMS; i++) {
            long streamSeed = seed * 1000 + i;
            spawn("soak-stream-" + i, () -> streams(streamSeed));
        }
        for (int i = 0; i < CHURNERS; i++) {
            long churnSeed = seed * 1000 + 100 + i;
            spawn("soak-churn-" + i, () -> churn(churnSeed));
        }
        for (int i = 0; i < RESETTERS; i++) {
            spawn("soak-reset-" + i, this::resets);
        }
        spawn("soak-chat-churn", this::chatChurn);
        for (int i = 0; i < TALKERS; i++) {
            int talker = i;
            spawn("soak-talker-" + i, () -> talk(talker));
        }
    }

    /** Stops the clients, waits for them, checks the chat's deliveries, and says what happened. */
    Totals stop() throws InterruptedException {
        stopping = true;
        for (Thread thread : threads) {
            if (!thread.getName().startsWith("soak-listener")) {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
        talkersDone = true;
        long sent = 0;
        for (long n : linesSent) {
            sent += n;
        }
        for (Listener listener : listeners) {
            listener.awaitAll(linesSent);
            listener.close();
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            if (thread.isAlive()) {
                problem(thread.getName() + " did not end");
            }
        }
        return new Totals(echoBytes.get(), connections.get(), resets.get(), sent, linesVerified.get(),
                List.copyOf(problems));
    }

    private void spawn(String name, Runnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (RuntimeException | AssertionError e) {
                problem(Thread.currentThread().getName() + ": " + e);
            }
        }, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void problem(String what) {
        if (problems.size() < 100) {
            problems.add(what);
        }
    }

    private Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(20_000);
        connections.incrementAndGet();
        return socket;
    }

    /** Byte {@code n} of the stream {@code seed}: cheap to make on one side and to check on the other. */
    private static byte pattern(long seed, long n) {
        long x = (n + 1) * 0x9E3779B97F4A7C15L ^ seed;
        return (byte) (x >>> 29 ^ x >>> 47);
    }

    private static void fill(byte[] chunk, int length, long seed, long from) {
        for (int i = 0; i < length; i++) {
            chunk[i] = pattern(seed, from + i);
        }
    }

    // ---- echo ----------------------------------------------------------------------------------

    /** Long full-duplex streams of 1 to 16 MiB, one after the other, each checked byte for byte. */
    private void streams(long streamSeed) {
        Random random = new Random(streamSeed);
        for (int session = 0; !stopping; session++) {
            long sessionSeed = random.nextLong();
            long size = (1L << 20) + random.nextInt(15 << 20);
            try (Socket socket = connect(echoPort)) {
                Thread writer = new Thread(() -> writeStream(socket, sessionSeed, size), "soak-stream-writer");
                writer.setDaemon(true);
                writer.start();
                checkStream(socket.getInputStream(), sessionSeed, size, "stream session " + session);
                writer.join(20_000);
            } catch (IOException | InterruptedException e) {
                problem("stream session " + session + ": " + e);
                return;
            }
        }
    }

    private void writeStream(Socket socket, long sessionSeed, long size) {
        byte[] chunk = new byte[64 * 1024];
        try {
            OutputStream out = socket.getOutputStream();
            for (long at = 0; at < size; ) {
                int n = (int) Math.min(chunk.length, size - at);
                fill(chunk, n, sessionSeed, at);
                out.write(chunk, 0, n);
                at += n;
            }
            socket.shutdownOutput();
        } catch (IOException e) {
            problem("a stream's writer: " + e);
        }
    }

    private void checkStream(InputStream in, long sessionSeed, long size, String what) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long at = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            for (int i = 0; i < n; i++) {
                if (buffer[i] != pattern(sessionSeed, at + i)) {
                    problem(what + ": byte " + (at + i) + " came back changed");
                    return;
                }
            }
            at += n;
            echoBytes.addAndGet(n);
        }
        if (at != size) {
            problem(what + ": " + at + " bytes came back of " + size);
        }
    }

    /** Short connections: 1 B to 8 KiB, half-close, the echo to the end, checked. */
    private void churn(long churnSeed) {
        Random random = new Random(churnSeed);
        byte[] bytes = new byte[8192];
        for (long i = 0; !stopping; i++) {
            int size = 1 + random.nextInt(bytes.length);
            long sessionSeed = random.nextLong();
            fill(bytes, size, sessionSeed, 0);
            try (Socket socket = connect(echoPort)) {
                socket.getOutputStream().write(bytes, 0, size);
                socket.shutdownOutput();
                checkStream(socket.getInputStream(), sessionSeed, size, "short connection " + i);
            } catch (IOException e) {
                problem("short connection " + i + ": " + e);
                return;
            }
        }
    }

    /** Clients that send 256 KiB, read a little of the echo, and reset while the server writes. */
    private void resets() {
        byte[] bytes = new byte[256 * 1024];
        fill(bytes, bytes.length, seed, 0);
        while (!stopping) {
            try (Socket socket = connect(echoPort)) {
                socket.setReceiveBufferSize(8192);
                socket.getOutputStream().write(bytes, 0, 32 * 1024);
                byte[] start = socket.getInputStream().readNBytes(1024);
                for (int i = 0; i < start.length; i++) {
                    if (start[i] != bytes[i]) {
                        problem("a resetting client got a changed byte at " + i);
                    }
                }
                socket.setSoLinger(true, 0);
                resets.incrementAndGet();
            } catch (IOException e) {
                problem("resetting client: " + e);
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    // ---- chat ----------------------------------------------------------------------------------

    /** Sends numbered lines at a steady pace until the phase ends, then leaves. */
    private void talk(int talker) {
        try (Socket socket = connect(chatPort)) {
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            Thread drain = new Thread(() -> drainLines(in), "soak-talker-reader"); // what the room says to it
            drain.setDaemon(true);
            drain.start();
            long next = System.nanoTime();
            for (long n = 0; !stopping; n++) {
                out.write(("soak " + talker + " " + n + "\n").getBytes(StandardCharsets.UTF_8));
                linesSent[talker] = n + 1;
                next += TALK_GAP_NANOS;
                for (long wait; (wait = next - System.nanoTime()) > 0; ) {
                    LockSupport.parkNanos(wait);
                }
            }
            out.write("/quit\n".getBytes(StandardCharsets.UTF_8));
            drain.join(10_000);
        } catch (IOException | InterruptedException e) {
            problem("talker " + talker + ": " + e);
        }
    }

    private void drainLines(BufferedReader in) {
        try {
            while (in.readLine() != null) {
                // the others' lines: the listeners check those
            }
        } catch (IOException e) {
            problem("a talker's connection: " + e);
        }
    }

    /** Members who join, say a line, and leave, checking their welcome and their goodbye. */
    private void chatChurn() {
        for (long i = 0; !stopping; i++) {
            try (Socket socket = connect(chatPort)) {
                socket.getOutputStream().write("just passing\n/quit\n".getBytes(StandardCharsets.UTF_8));
                String said = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!said.startsWith("* welcome") || !said.endsWith("* bye\r\n")) {
                    problem("chat member " + i + " was told: " + said);
                }
            } catch (IOException e) {
                problem("chat member " + i + ": " + e);
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** A member who only listens and checks that each talker's lines come in order, none missing. */
    private final class Listener {
        private final Socket socket;
        private final long[] next = new long[TALKERS];
        private final java.util.concurrent.CountDownLatch welcomed = new java.util.concurrent.CountDownLatch(1);
        private final Object progress = new Object();

        Listener(Socket socket) {
            this.socket = socket;
        }

        void run() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    welcomed.countDown();
                    Matcher said = TALK.matcher(line);
                    if (said.matches()) {
                        int talker = Integer.parseInt(said.group(1));
                        long n = Long.parseLong(said.group(2));
                        if (n != next[talker]) {
                            problem("a listener got line " + n + " of talker " + talker + " where " + next[talker]
                                    + " was due");
                        }
                        next[talker] = n + 1;
                        linesVerified.incrementAndGet();
                        synchronized (progress) {
                            progress.notifyAll();
                        }
                    } else if (line.contains(" left (")) {
                        problem("a member was dropped: " + line);
                    }
                }
                if (!talkersDone) {
                    problem("the server ended a listener's connection");
                }
            } catch (IOException e) {
                if (!talkersDone || !socket.isClosed()) {
                    problem("a listener's connection: " + e);
                }
            }
        }

        void awaitWelcome() {
            try {
                if (!welcomed.await(20, TimeUnit.SECONDS)) {
                    problem("a listener was not welcomed");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Waits (up to 20 s) until every line sent has come; records the ones that did not. */
        void awaitAll(long[] sent) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            synchronized (progress) {
                while (!allCame(sent) && System.nanoTime() < deadline) {
                    progress.wait(100);
                }
            }
            for (int talker = 0; talker < TALKERS; talker++) {
                if (next[talker] != sent[talker]) {
                    problem("a listener got " + next[talker] + " of talker " + talker + "'s " + sent[talker] + " lines");
                }
            }
        }

        private boolean allCame(long[] sent) {
            for (int talker = 0; talker < TALKERS; talker++) {
                if (next[talker] != sent[talker]) {
                    return false;
                }
            }
            return true;
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a client: nothing to do about it
            }
        }
    }
}
