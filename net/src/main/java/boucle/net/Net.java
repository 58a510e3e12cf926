package boucle.net;

import boucle.core.Clock;
import boucle.core.Loop;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocalThread;

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

    /**
     * Runs {@code body} on this thread with Netty's per-thread recycling of buffer objects turned
     * on. Netty 4.2 recycles only on its own threads, so a loop run elsewhere allocates one small
     * ByteBuf object per read; a busy server runs its loop in here to make no garbage per read.
     *
     * <pre>{@code
     * Net.runWithBufferRecycling(() -> loop.runTask(server::serveForever));
     * }</pre>
     */
    public static void runWithBufferRecycling(Runnable body) {
        FastThreadLocalThread.runWithFastThreadLocal(body);
    }

    /**
     * A new loop that waits on a selector as well as on timers and {@code callSoonThreadsafe}.
     *
     * @throws IllegalStateException naming the JVM flag to add, if {@code jdk.internal.vm} is not exported
     */
    public static Loop newLoop() {
        return newLoop(Clock.SYSTEM);
    }

    /** The same, with a given clock (tests drive timers with a {@link boucle.core.VirtualClock}). */
    public static Loop newLoop(Clock clock) {
        SelectorEventSource selector = new SelectorEventSource();
        try {
            return new Loop(clock, selector);
        } catch (RuntimeException e) { // e.g. the JVM flag is missing: say so, and leak no selector
            selector.close();
            throw e;
        }
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
