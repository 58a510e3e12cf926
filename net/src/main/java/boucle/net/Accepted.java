package boucle.net;

import boucle.core.Loop;
import boucle.net.uring.NativeSockets;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;

/**
 * A connection accepted and not yet joined to any loop: a {@link SocketChannel} on the NIO
 * backend, a descriptor on io_uring. A {@link GroupServer} hands it from the acceptor's loop to
 * the loop that serves it, which {@link #join()}s it there; the loops of one group share a backend.
 * {@link #drop()} is safe from any thread; {@link #join()} runs on the serving loop's thread.
 */
final class Accepted {
    private final SocketChannel channel;
    private final int fd;
    private final SocketAddress local;
    private final SocketAddress remote;

    private Accepted(SocketChannel channel, int fd, SocketAddress local, SocketAddress remote) {
        this.channel = channel;
        this.fd = fd;
        this.local = local;
        this.remote = remote;
    }

    static Accepted channel(SocketChannel channel) {
        return new Accepted(channel, -1, null, null);
    }

    static Accepted descriptor(int fd, SocketAddress local, SocketAddress remote) {
        return new Accepted(null, fd, local, remote);
    }

    /** The connection as a socket of the current loop, which owns it from now on; closed if it cannot join. */
    AsyncSocket join() throws IOException {
        if (channel != null) {
            return AsyncSocket.accepted(channel);
        }
        if (!(Net.source(Loop.current()) instanceof UringEventSource ring)) {
            drop();
            throw new IllegalStateException("a connection accepted on io_uring is served on an io_uring loop, not on "
                    + Loop.current() + ": the loops of a group share one backend");
        }
        try {
            NativeSockets.setNoDelay(fd);
        } catch (IOException e) {
            drop();
            throw e;
        }
        return AsyncSocket.onRing(ring, fd, local, remote);
    }

    /** Closes the connection unserved. Any thread. */
    void drop() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // never served: nobody to tell
            }
        } else {
            NativeSockets.close(fd);
        }
    }
}
