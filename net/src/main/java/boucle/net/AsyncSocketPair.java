package boucle.net;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Two connected {@link AsyncSocket}s in this process, with no TCP port: for unit tests of a
 * handler where real networking is not the point (Netty's {@code EmbeddedChannel} role). Whatever
 * {@link #left()} writes, {@link #right()} reads, and back; every {@code AsyncSocket} call works
 * as on TCP: reads, lines, writes with backpressure (the kernel buffers are bounded),
 * {@code shutdownOutput} (half-close), close.
 *
 * <pre>{@code
 * try (AsyncSocketPair pair = AsyncSocketPair.open()) {
 *     Task<Void> handler = Boucle.spawn(() -> server.handle(pair.right()));
 *     pair.left().write("PING\n");
 *     assertEquals("PONG", pair.left().readLine(100));
 * }
 * }</pre>
 *
 * <h2>Why a Unix-domain socket pair</h2>
 * An {@code AsyncSocket} over a {@link SocketChannel} reads and writes through {@link SocketStream},
 * the same transport for TCP and Unix-domain sockets. A connected pair of Unix-domain {@code SocketChannel}s is selectable, bounded, and
 * half-closable like TCP, so the socket's whole code path is the one under test, unchanged. A
 * {@link java.nio.channels.Pipe} would have needed a second implementation of reading and
 * writing (a pipe is two one-way channels, not a {@code SocketChannel}, and has no half-close of
 * its own), and an in-memory buffer pair would have bypassed the very code (readiness, partial
 * writes, end of stream) that such tests should exercise. The rendezvous path lives in a fresh
 * temporary directory and is deleted as soon as the pair is connected. Addresses are
 * {@link UnixDomainSocketAddress}es (the rendezvous path, or an unnamed one).
 *
 * <p>Loop-thread only: open it from a task of a {@link Net#newLoop()} loop (a {@code @BoucleTest}
 * runs on one).
 */
public final class AsyncSocketPair implements AutoCloseable {
    private final AsyncSocket left;
    private final AsyncSocket right;

    private AsyncSocketPair(AsyncSocket left, AsyncSocket right) {
        this.left = left;
        this.right = right;
    }

    /** A connected pair, registered with the current loop's selector. From a task of a selector loop. */
    public static AsyncSocketPair open() throws IOException {
        Net.source(boucle.core.Loop.current()); // a clear error on a loop without a selector, before any file
        Path directory = Files.createTempDirectory("boucle-pair");
        Path path = directory.resolve("s");
        SocketChannel leftChannel = null;
        SocketChannel rightChannel = null;
        try (ServerSocketChannel rendezvous = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            rendezvous.bind(UnixDomainSocketAddress.of(path));
            leftChannel = SocketChannel.open(UnixDomainSocketAddress.of(path)); // blocking: the backlog takes it at once
            rightChannel = rendezvous.accept();
            AsyncSocket left = AsyncSocket.accepted(leftChannel);
            leftChannel = null; // owned by the socket now
            try {
                AsyncSocket right = AsyncSocket.accepted(rightChannel);
                return new AsyncSocketPair(left, right);
            } catch (IOException | RuntimeException e) {
                left.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(leftChannel, e);
            closeQuietly(rightChannel, e);
            throw e;
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(directory);
        }
    }

    private static void closeQuietly(SocketChannel channel, Exception into) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                into.addSuppressed(e);
            }
        }
    }

    /** One end ("the client", by convention). */
    public AsyncSocket left() {
        return left;
    }

    /** The other end ("the server", by convention). */
    public AsyncSocket right() {
        return right;
    }

    /** Closes both ends. */
    @Override
    public void close() {
        left.close();
        right.close();
    }
}
