package boucle.net;

import boucle.core.LoopBound;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import boucle.net.uring.NativeSockets;

/**
 * A listening TCP or Unix domain socket for tasks: {@link #accept()} parks the calling task until a
 * client connects.
 *
 * <pre>{@code
 * try (AsyncServerSocket listener = AsyncServerSocket.bind("127.0.0.1", 0, 128)) {
 *     int port = listener.port();           // the ephemeral port the system chose
 *     AsyncSocket client = listener.accept();  // in a task
 * }
 * }</pre>
 *
 * <h2>Unix domain sockets</h2>
 * {@link #bind(UnixDomainSocketAddress, int)} listens on a socket file. A stale file left by a
 * server that died is replaced; a live one (a server accepts on it) or a file that is not a socket
 * is refused with a clear error; {@link #close()} removes the file. The file is created with the
 * process's umask applied to {@code 0777}, and on Linux a client needs write permission on it to
 * connect: to restrict who may connect, run with a stricter umask (e.g. {@code 077}), put the
 * socket in a directory only the allowed users can enter, or change its mode after binding with
 * {@link java.nio.file.Files#setPosixFilePermissions} (the directory way leaves no window).
 *
 * <p>Binding needs no loop; the socket joins the running loop's selector on the first
 * {@code accept}. {@link #close()} wakes a task parked in {@code accept}, which then throws a
 * {@link SocketClosedException}.
 *
 * <p>Threads: {@link #bind}, {@link #localAddress()}, {@link #port()} and {@link #toString()} are
 * safe from any thread. The rest is for the thread of the loop the socket joined: while that loop
 * runs, a call from another thread is refused with an {@link IllegalStateException} before it
 * changes anything. Before its first {@code accept} the socket belongs to no loop yet.
 */
public final class AsyncServerSocket implements AutoCloseable, SocketSource, LoopBound {
    private final ServerSocketChannel channel;
    private final SocketAddress local;
    /** The socket file of a Unix domain socket, removed at close; {@code null} for TCP. */
    private final UnixSocketFile file;
    /** On a NIO loop, or for a Unix socket: the selector's (or the ring's polls'); else {@code null}. */
    private Registration registration;
    /** On an io_uring loop, for TCP: the ring's multishot accept; else {@code null}. */
    private RingAcceptor ringAcceptor;
    /** The loop of the first {@code accept}, to which the socket belongs from then on. */
    private boucle.core.Loop loop;
    private boolean closed;

    private AsyncServerSocket(ServerSocketChannel channel, UnixSocketFile file) throws IOException {
        this.channel = channel;
        this.local = channel.getLocalAddress();
        this.file = file;
    }

    /**
     * Listens on {@code host:port}; port 0 picks a free ephemeral port, which {@link #port()} tells.
     *
     * @param backlog how many connections the kernel may hold that were not accepted yet
     */
    public static AsyncServerSocket bind(String host, int port, int backlog) throws IOException {
        return bind(host, port, backlog, false);
    }

    /** The same, with {@code SO_REUSEPORT} set if {@code reusePort} (see {@link AsyncServer.Builder#reusePort}). */
    static AsyncServerSocket bind(String host, int port, int backlog, boolean reusePort) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true); // a restart may bind at once
            if (reusePort) {
                if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                    throw new UnsupportedOperationException("SO_REUSEPORT does not exist on this system ("
                            + System.getProperty("os.name") + "): bind without reusePort, or serve on a LoopGroup");
                }
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            channel.bind(new InetSocketAddress(host, port), backlog);
            return new AsyncServerSocket(channel, null);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Listens on the Unix domain socket file {@code address} (see the class javadoc for stale and
     * live files, and permissions). Callable from any thread, no loop needed yet.
     *
     * @throws java.net.BindException if a server already listens there
     * @throws java.nio.file.FileAlreadyExistsException if the path is a file that is not a socket
     */
    public static AsyncServerSocket bind(UnixDomainSocketAddress address, int backlog) throws IOException {
        UnixSocketFile.claim(address);
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(address, backlog);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        UnixSocketFile file = UnixSocketFile.bound(address);
        try {
            return new AsyncServerSocket(channel, file);
        } catch (IOException | RuntimeException e) {
            channel.close();
            file.remove();
            throw e;
        }
    }

    /**
     * Parks until a client connects, and returns the connection. On an io_uring loop a TCP
     * connection is accepted by the ring (multishot) and served by it; a Unix one goes through the
     * NIO code, the ring polling the listening socket.
     */
    @Override
    public AsyncSocket accept() throws IOException {
        return acceptConnection().join();
    }

    /**
     * Parks until a client connects and returns the connection, not yet joined to any loop: a
     * {@link GroupServer} hands it to another loop, which joins it there.
     */
    Accepted acceptConnection() throws IOException {
        requireLoopThread();
        if (closed) {
            throw new SocketClosedException("the listening socket " + AsyncSocket.describe(local) + " is closed");
        }
        if (loop == null) {
            loop = boucle.core.Loop.current();
        }
        if (local instanceof InetSocketAddress inet && Net.source(loop) instanceof UringEventSource ring) {
            if (ringAcceptor == null) {
                ringAcceptor = new RingAcceptor(ring, ChannelDescriptor.of(channel), AsyncSocket.describe(local));
            }
            int fd = ringAcceptor.accept();
            try {
                SocketAddress here = inet.getAddress().isAnyLocalAddress() ? NativeSockets.localAddress(fd) : local;
                return Accepted.descriptor(fd, here, NativeSockets.remoteAddress(fd));
            } catch (IOException | RuntimeException e) { // the peer reset before we asked: that connection is gone
                NativeSockets.close(fd);
                throw e;
            }
        }
        if (registration == null) {
            registration = new Registration(channel);
        }
        return Accepted.channel(registration.untilReady(SelectionKey.OP_ACCEPT, Registration.NO_DEADLINE,
                "accept on " + AsyncSocket.describe(local), channel::accept));
    }

    /** The ring's acceptor, on an io_uring loop after the first accept; else {@code null}. For tests. */
    RingAcceptor ringAcceptor() {
        return ringAcceptor;
    }

    /** Refuses, before any change, a call from another thread while the loop it joined runs. */
    private void requireLoopThread() {
        if (loop != null) {
            loop.requireThisThread(this);
        }
    }

    /** The address it listens on: an {@link InetSocketAddress}, or a {@link UnixDomainSocketAddress}. Any thread. */
    public SocketAddress localAddress() {
        return local;
    }

    /**
     * The TCP port it listens on: the one asked for, or the one the system chose for port 0;
     * -1 for a Unix domain socket. Any thread.
     */
    public int port() {
        return local instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }

    public boolean isOpen() {
        requireLoopThread();
        return !closed;
    }

    /**
     * Stops listening, and removes the socket file of a Unix domain socket; a task parked in
     * {@link #accept()} wakes with a {@link SocketClosedException}. Idempotent.
     */
    @Override
    public void close() {
        requireLoopThread();
        if (closed) {
            return;
        }
        closed = true;
        if (file != null) {
            file.remove(); // first: once the file is gone, no new client can find this socket
        }
        String reason = "the listening socket " + AsyncSocket.describe(local) + " was closed";
        if (ringAcceptor != null) {
            ringAcceptor.close(reason); // before the channel: the accept in flight is cancelled, not left holding it
        }
        if (registration != null) {
            registration.close(reason);
        } else {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing was registered and nobody waits: there is no one to tell
            }
        }
    }

    /** Any thread (from another one, the "closed" part may be a moment late). */
    @Override
    public String toString() {
        return "AsyncServerSocket[" + AsyncSocket.describe(local) + (closed ? ", closed" : "") + "]";
    }
}
