package boucle.net;

import boucle.core.Clock;
import boucle.core.Loop;

/**
 * Entry point of the network layer: a {@link Loop} whose waiting is a {@link java.nio.channels.Selector},
 * so that tasks can wait for sockets.
 *
 * <pre>{@code
 * try (Loop loop = Net.newLoop()) {
 *     AsyncServer server = AsyncServer.builder(conn -> conn.write("hello\n")).port(0).bind();
 *     loop.runTask(server::serveForever);
 * }
 * }</pre>
 *
 * Every socket type of this package must be used from a task of such a loop; elsewhere it fails
 * with an {@link IllegalStateException} that says so.
 */
public final class Net {
    private Net() {
    }

    /** A new loop that waits on a selector as well as on timers and {@code callSoonThreadsafe}. */
    public static Loop newLoop() {
        return new Loop(new SelectorEventSource());
    }

    /** The same, with a given clock (tests drive timers with a fake one). */
    public static Loop newLoop(Clock clock) {
        return new Loop(clock, new SelectorEventSource());
    }

    /** The selector event source of the running loop, or a clear error. */
    static SelectorEventSource source(Loop loop) {
        if (loop.eventSource() instanceof SelectorEventSource source) {
            return source;
        }
        throw new IllegalStateException("sockets need a loop that waits on a selector, but this loop waits on "
                + loop.eventSource() + ": create it with Net.newLoop() instead of new Loop()");
    }
}
