package boucle.net;

import boucle.core.Clock;
import boucle.core.Loop;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

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
    /**
     * Netty's pooled allocator, with a per-thread cache for every thread. Netty 4.2's default
     * caches only for its own threads, and a Boucle loop runs on any thread (often {@code main}):
     * without the cache every read would allocate from the shared arenas, under their locks.
     */
    private static final ByteBufAllocator ALLOCATOR = new PooledByteBufAllocator(true,
            PooledByteBufAllocator.defaultNumHeapArena(), PooledByteBufAllocator.defaultNumDirectArena(),
            PooledByteBufAllocator.defaultPageSize(), PooledByteBufAllocator.defaultMaxOrder(),
            PooledByteBufAllocator.defaultSmallCacheSize(), PooledByteBufAllocator.defaultNormalCacheSize(),
            true);

    private Net() {
    }

    /** The allocator of every buffer this package hands out; use it for the buffers you write. */
    public static ByteBufAllocator allocator() {
        return ALLOCATOR;
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
