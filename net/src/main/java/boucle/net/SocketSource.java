package boucle.net;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * Where an {@link AsyncServer} gets its connections: a listening socket of its own
 * ({@link AsyncServerSocket}), or, for a server spread over a {@link LoopGroup}, the connections
 * that the group's acceptor hands to this loop ({@link Handoff}). Loop-thread only, like the server.
 */
interface SocketSource {
    /** Parks until a connection comes; a {@link SocketClosedException} once {@link #close()}d. */
    AsyncSocket accept() throws IOException;

    boolean isOpen();

    /** Stops giving connections; a task parked in {@link #accept()} wakes with a {@link SocketClosedException}. */
    void close();

    /** The address clients connect to. Any thread. */
    SocketAddress localAddress();
}
