package boucle.net;

import boucle.core.Loop;
import boucle.core.Queue;
import boucle.core.QueueClosedException;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * One loop's share of a {@link GroupServer}: the accepted channels the group's acceptor hands to
 * this loop, which its {@link AsyncServer} takes as if it had accepted them itself.
 *
 * <p>A connection crosses loops as an {@link Accepted} (a plain {@link java.nio.channels.SocketChannel}
 * before any selector knows it, or a descriptor no ring drives yet): it joins this loop only when
 * {@link #accept()} wraps it here, so it never belongs to two loops. A channel that arrives after the close, or is still queued at the close, is closed and
 * {@code dropped} is run for it (the acceptor's slot comes back).
 *
 * <p>{@link #deliver} is posted to this loop with {@link Loop#callSoonThreadsafe}; everything runs
 * on this loop's thread, except {@link #localAddress()}.
 */
final class Handoff implements SocketSource {
    private final SocketAddress address;
    private final Runnable dropped;
    private final Queue<Accepted> arrived = Queue.unbounded();

    Handoff(SocketAddress address, Runnable dropped) {
        this.address = address;
        this.dropped = dropped;
    }

    /** A channel for this loop, from the acceptor; on this loop's thread. */
    void deliver(Accepted channel) {
        if (arrived.isClosed()) {
            drop(channel);
        } else {
            arrived.put(channel); // unbounded: never parks
        }
    }

    @Override
    public AsyncSocket accept() throws IOException {
        Accepted channel;
        try {
            channel = arrived.get();
        } catch (QueueClosedException closed) {
            throw new SocketClosedException("this loop's share of the server on " + AsyncSocket.describe(address) + " is closed");
        }
        try {
            return channel.join();
        } catch (IOException | RuntimeException cannotJoin) { // join closed it
            dropped.run();
            throw cannotJoin;
        }
    }

    @Override
    public boolean isOpen() {
        return !arrived.isClosed();
    }

    @Override
    public void close() {
        if (arrived.isClosed()) {
            return;
        }
        for (Accepted left; (left = arrived.poll()) != null; ) {
            drop(left);
        }
        arrived.close();
    }

    private void drop(Accepted channel) {
        channel.drop();
        dropped.run();
    }

    @Override
    public SocketAddress localAddress() {
        return address;
    }

    @Override
    public String toString() {
        return "Handoff[" + address + "]";
    }
}
