package boucle.redis;

import boucle.core.Handle;
import boucle.core.Loop;
import boucle.core.LoopBound;
import boucle.core.Task;

/**
 * A command sent by {@link RedisClient#send} without waiting: {@link #await()} its reply later,
 * or never (a publish whose receiver count nobody needs); its reply, or its failure, is then
 * dropped when it comes.
 *
 * <pre>{@code
 * RedisCall first = redis.send("INCR", "a");
 * RedisCall second = redis.send("INCR", "b");     // both leave in the same write
 * long a = first.await().asLong(), b = second.await().asLong();
 * }</pre>
 *
 * <p>The command timeout counts from the send: {@link #await()} gives up at
 * {@code send time + commandTimeout} with a {@link RedisTimeoutException}, at once if that has
 * passed. Loop-thread only: refused from another thread before any change; {@link #toString()}
 * from any thread.
 */
public final class RedisCall implements LoopBound {
    private final Loop loop;
    private final String command;
    private final java.time.Duration timeout;
    /** When the reply is due at the latest, on the loop's clock. */
    private final long deadline;
    private RedisValue reply;
    private RedisException failure;
    private boolean done;
    private Task<?> waiter;

    RedisCall(Loop loop, String command, java.time.Duration timeout) {
        this.loop = loop;
        this.command = command;
        this.timeout = timeout;
        this.deadline = loop.now() + timeout.toNanos();
    }

    /**
     * Parks until the reply comes and returns it; an error reply is returned as a
     * {@link RedisValue.Error}, not thrown. Call from a task; several awaits return the same reply.
     *
     * @throws RedisTimeoutException past the command timeout; the call is then given up for good
     * @throws RedisUnavailableException if the link broke before the reply came, or the client closed
     */
    public RedisValue await() throws RedisException {
        requireLoopThread();
        Task<?> me = Task.current();
        if (!done && waiter != null) {
            throw new IllegalStateException("another task already awaits " + this);
        }
        if (!done) {
            waiter = me;
            Handle timer = loop.callAt(deadline, this::expire);
            try {
                while (!done) {
                    me.park(this);
                }
            } finally {
                waiter = null;
                timer.cancel();
            }
        }
        if (failure != null) {
            throw failure;
        }
        return reply;
    }

    /** Whether the reply (or a failure) has come; a snapshot. */
    public boolean isDone() {
        requireLoopThread();
        return done;
    }

    /** The command's name, as sent. Any thread. */
    public String command() {
        return command;
    }

    /** The reply came: wakes the awaiting task. Does nothing if the call already ended (it timed out). */
    void complete(RedisValue value) {
        if (!done) {
            done = true;
            reply = value;
            wakeWaiter();
        }
    }

    /** The call cannot get its reply; does nothing if it already ended. */
    void fail(RedisException cause) {
        if (!done) {
            done = true;
            failure = cause;
            wakeWaiter();
        }
    }

    private void expire() {
        fail(new RedisTimeoutException(command + ": no reply within " + timeout.toMillis()
                + " ms (RedisOptions.commandTimeout); its reply will be dropped when it comes"));
    }

    private void wakeWaiter() {
        if (waiter != null) {
            waiter.wake();
        }
    }

    private void requireLoopThread() {
        loop.requireThisThread(this);
    }

    @Override
    public String toString() {
        return "RedisCall[" + command + (done ? failure != null ? ", failed" : ", done" : "") + "]";
    }
}
