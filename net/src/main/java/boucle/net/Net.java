package boucle.net;

import boucle.core.Clock;
import boucle.core.Loop;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocalThread;

/**
 * Entry point of the network layer: a {@link Loop} whose waiting is a {@link java.nio.channels.Selector}
 * or an io_uring ring ({@link Backend}), so that tasks can wait for sockets.
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
     * A new loop that waits for sockets as well as on timers and {@code callSoonThreadsafe}, on the
     * backend the system property {@code boucle.backend} names ({@link Backend#configured()}:
     * {@link Backend#AUTO} unless set). Any thread; the loop then belongs to the thread that runs it.
     *
     * @throws IllegalStateException naming the JVM flag to add, if {@code jdk.internal.vm} is not exported
     * @throws IllegalArgumentException if the property names no backend
     */
    public static Loop newLoop() {
        return newLoop(Clock.SYSTEM, Backend.configured());
    }

    /**
     * A new loop on {@code backend}: {@link Backend#AUTO} takes io_uring where it works and NIO
     * otherwise (never failing for io_uring's sake); {@link Backend#IO_URING} fails with an
     * {@link IllegalStateException} that says why io_uring cannot serve here. Any thread.
     */
    public static Loop newLoop(Backend backend) {
        return newLoop(Clock.SYSTEM, backend);
    }

    /** A loop on the configured backend with a given clock (tests drive timers with a {@link boucle.core.VirtualClock}). */
    public static Loop newLoop(Clock clock) {
        return newLoop(clock, Backend.configured());
    }

    /** A loop on {@code backend} with a given clock. Any thread. */
    public static Loop newLoop(Clock clock, Backend backend) {
        NetSource source = BackendChoice.open(backend);
        try {
            return new Loop(clock, source);
        } catch (RuntimeException e) { // e.g. the JVM flag is missing: say so, and leak no selector or ring
            source.close();
            throw e;
        }
    }

    /**
     * The backend {@code loop} runs on: {@link Backend#IO_URING} or {@link Backend#NIO} (never
     * {@code AUTO}: what it chose). Any thread.
     *
     * @throws IllegalStateException if the loop was not made by {@link #newLoop}
     */
    public static Backend backendOf(Loop loop) {
        return source(loop).backend();
    }

    /** The event source of the running loop, or a clear error. */
    static NetSource source(Loop loop) {
        if (loop.eventSource() instanceof NetSource source) {
            return source;
        }
        throw new IllegalStateException("sockets need a loop that waits for sockets, but this loop waits on "
                + loop.eventSource() + ": create it with Net.newLoop() instead of new Loop()");
    }
}
