package boucle.examples.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Clients that flood an echo server full-duplex, as {@code socat TCP:HOST:PORT - </dev/zero
 * >/dev/null} does: each writes as fast as the server takes bytes and reads whatever comes back.
 * All of them run on one thread with a selector, so that the flood costs one core, not one per
 * client. Each sends a known pattern (byte {@code n} of a stream is {@code n % 251}) and checks
 * every byte that comes back; {@link #stopAndVerify()} half-closes, drains and checks the totals.
 */
final class Flood implements AutoCloseable {
    private static final int PERIOD = 251; // prime: the pattern never lines up with a buffer size
    private static final int CHUNK = 64 * 1024;
    /** The pattern, long enough that any chunk starting at any phase is one slice of it. */
    private static final byte[] PATTERN = new byte[CHUNK + PERIOD];

    static {
        for (int i = 0; i < PATTERN.length; i++) {
            PATTERN[i] = (byte) (i % PERIOD);
        }
    }

    /** One flooding client's side of the stream. */
    private static final class Stream {
        final SocketChannel channel;
        volatile long sent;
        volatile long received;
        boolean outputShut;
        boolean ended;

        Stream(SocketChannel channel) {
            this.channel = channel;
        }

        long sentSoFar() {
            return sent;
        }
    }

    private final Selector selector;
    private final List<Stream> streams = new ArrayList<>();
    private final Thread thread;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopWriting;
    private volatile boolean paused;
    private volatile boolean writing = true; // what the flood thread does: it follows paused
    private volatile Throwable failure;

    /** Connects {@code clients} flooding clients to the loopback echo server on {@code port} and starts them. */
    Flood(int port, int clients) throws IOException {
        selector = Selector.open();
        for (int i = 0; i < clients; i++) {
            SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Stream stream = new Stream(channel);
            channel.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE, stream);
            streams.add(stream);
        }
        thread = new Thread(this::run, "flood");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        ByteBuffer in = ByteBuffer.allocateDirect(CHUNK);
        byte[] got = new byte[CHUNK];
        ByteBuffer out = ByteBuffer.allocateDirect(PATTERN.length).put(PATTERN).flip();
        try {
            while (streams.stream().anyMatch(stream -> !stream.ended)) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    Stream stream = (Stream) key.attachment();
                    if (key.isValid() && key.isWritable()) {
                        int phase = (int) (stream.sent % PERIOD);
                        out.limit(phase + CHUNK).position(phase);
                        stream.sent += stream.channel.write(out);
                    }
                    if (key.isValid() && key.isReadable()) {
                        read(stream, key, in, got);
                    }
                }
                selector.selectedKeys().clear();
                if (writing == paused && !stopWriting) {
                    writing = !paused;
                    for (Stream stream : streams) {
                        stream.channel.keyFor(selector).interestOps(
                                writing ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                    }
                }
                if (stopWriting) {
                    for (Stream stream : streams) {
                        if (!stream.outputShut) {
                            stream.outputShut = true;
                            stream.channel.shutdownOutput(); // the echo handler sees the end, sends the rest, closes
                            if (!stream.ended) {
                                stream.channel.keyFor(selector).interestOps(SelectionKey.OP_READ);
                            }
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException | AssertionError e) {
            failure = e;
        } finally {
            finished.countDown();
        }
    }

    private static void read(Stream stream, SelectionKey key, ByteBuffer in, byte[] got) throws IOException {
        in.clear();
        int n = stream.channel.read(in);
        if (n < 0) {
            stream.ended = true;
            key.cancel();
            return;
        }
        in.flip().get(got, 0, n);
        int phase = (int) (stream.received % PERIOD);
        int at = Arrays.mismatch(got, 0, n, PATTERN, phase, phase + n);
        if (at >= 0) {
            throw new AssertionError("byte " + (stream.received + at) + " of a flood came back changed");
        }
        stream.received += n;
    }

    /** Bytes echoed back so far, over every client. */
    long bytesEchoed() {
        return streams.stream().mapToLong(stream -> stream.received).sum();
    }

    /** Waits until each client has had at least {@code bytes} echoed: the flood is under way. */
    void awaitEchoedEach(long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (streams.stream().anyMatch(stream -> stream.received < bytes)) {
            if (failure != null || System.nanoTime() > deadline || finished.getCount() == 0) {
                throw new AssertionError("the flood did not get going (" + bytesEchoed() + " bytes echoed)", failure);
            }
            finished.await(10, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops sending (but goes on reading) until {@link #resume()}; returns once all sent came back. */
    void pause() throws InterruptedException {
        paused = true;
        selector.wakeup();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (writing || streams.stream().anyMatch(stream -> stream.received < stream.sentSoFar())) {
            if (failure != null || System.nanoTime() > deadline || finished.getCount() == 0) {
                throw new AssertionError("the paused flood's echo did not drain", failure);
            }
            finished.await(1, TimeUnit.MILLISECONDS);
        }
    }

    /** Floods again after {@link #pause()}; returns once each client had {@code bytes} more echoed. */
    void resume(long bytes) throws InterruptedException {
        long[] before = streams.stream().mapToLong(stream -> stream.received).toArray();
        paused = false;
        selector.wakeup();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (int i = 0; i < streams.size(); i++) {
            while (streams.get(i).received < before[i] + bytes) {
                if (failure != null || System.nanoTime() > deadline || finished.getCount() == 0) {
                    throw new AssertionError("the flood did not start again", failure);
                }
                finished.await(1, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Stops sending, half-closes, reads the rest, and checks every client got all it sent back. */
    long stopAndVerify() throws InterruptedException {
        stopWriting = true;
        selector.wakeup();
        if (!finished.await(20, TimeUnit.SECONDS)) {
            throw new AssertionError("the flood's echo did not end within 20 s of its half-close");
        }
        if (failure != null) {
            throw new AssertionError("the flood failed", failure);
        }
        long total = 0;
        for (Stream stream : streams) {
            assertEquals(stream.sent, stream.received, "a flooding client got back a different count than it sent");
            total += stream.sent;
        }
        return total;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stopWriting = true;
        if (finished.getCount() > 0) {
            thread.interrupt();
            for (Stream stream : streams) {
                stream.channel.close();
            }
            selector.wakeup();
            finished.await(10, TimeUnit.SECONDS);
        }
        selector.close();
    }
}
