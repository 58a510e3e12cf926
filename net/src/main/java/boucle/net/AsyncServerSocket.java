package boucle.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A listening TCP socket for tasks: {@link #accept()} parks the calling task until a client
 * connects.
 *
 * <pre>{@code
 * try (AsyncServerSocket listener = AsyncServerSocket.bind("127.0.0.1", 0, 128)) {
 *     int port = listener.port();           // the ephemeral port the system chose
 *     AsyncSocket client = listener.accept();  // in a task
 * }
 * }</pre>
 *
 * Binding needs no loop; the socket joins the running loop's selector on the first
 * {@code accept}. {@link #close()} wakes a task parked in {@code accept}, which then throws a
 * {@link SocketClosedException}.
 *
 * <p>Threads: {@link #bind}, {@link #localAddress()}, {@link #port()} and {@link #toString()} are
 * safe from any thread. The rest is for the thread of the loop the socket joined: while that loop
 * runs, a call from another thread is refused with an {@link IllegalStateException} before it
 * changes anything. Before its first {@code accept} the socket belongs to no loop yet.
 */
public final class AsyncServerSocket implements AutoCloseable {
    private final ServerSocketChannel channel;
    private final InetSocketAddress local;
    private Registration registration;
    private boolean closed;

    private AsyncServerSocket(ServerSocketChannel channel) throws IOException {
        this.channel = channel;
        this.local = (InetSocketAddress) channel.getLocalAddress();
    }

    /**
     * Listens on {@code host:port}; port 0 picks a free ephemeral port, which {@link #port()} tells.
     *
     * @param backlog how many connections the kernel may hold that were not accepted yet
     */
    public static AsyncServerSocket bind(String host, int port, int backlog) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true); // a restart may bind at once
            channel.bind(new InetSocketAddress(host, port), backlog);
            return new AsyncServerSocket(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Parks until a client connects, and returns the connection. */
    public AsyncSocket accept() throws IOException {
        requireLoopThread();
        if (closed) {
            throw new SocketClosedException("the listening socket " + local + " is closed");
        }
        if (registration == null) {
            registration = new Registration(channel);
        }
        for (;;) {
            SocketChannel client = channel.accept();
            if (client != null) {
                return AsyncSocket.accepted(client);
            }
            registration.await(SelectionKey.OP_ACCEPT, Registration.NO_DEADLINE, "accept on " + local);
        }
    }

    /** Refuses, before any change, a call from another thread while the loop it joined runs. */
    private void requireLoopThread() {
        if (registration != null) {
            LoopThread.require(registration.loop(), this);
        }
    }

    /** Any thread: fixed at bind. */
    public InetSocketAddress localAddress() {
        return local;
    }

    /** The port it listens on: the one asked for, or the one the system chose for port 0. Any thread. */
    public int port() {
        return local.getPort();
    }

    public boolean isOpen() {
        requireLoopThread();
        return !closed;
    }

    /** Stops listening; a task parked in {@link #accept()} wakes with a {@link SocketClosedException}. */
    @Override
    public void close() {
        requireLoopThread();
        if (closed) {
            return;
        }
        closed = true;
        if (registration != null) {
            registration.close("the listening socket " + local + " was closed");
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
        return "AsyncServerSocket[" + local + (closed ? ", closed" : "") + "]";
    }
}
