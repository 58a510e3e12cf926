package boucle.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link RedisClient} or {@link RedisSubscriber} behaves; immutable, each setter returns a
 * changed copy:
 *
 * <pre>{@code
 * RedisOptions options = RedisOptions.defaults()
 *         .commandTimeout(Duration.ofMillis(500))
 *         .backoff(Duration.ofMillis(50), Duration.ofSeconds(2))
 *         .maxPendingCommands(1_000);
 * }</pre>
 *
 * @param connectTimeout how long one connection attempt (TCP connect, {@code AUTH}, {@code SELECT},
 *     resubscription) may take; default 5 s
 * @param commandTimeout how long a command may wait for its reply, counted from when it was
 *     issued; then it fails with {@link RedisTimeoutException} and the link is kept; default 5 s
 * @param backoffMin the pause before the first reconnection attempt; it doubles after each failed
 *     one; default 100 ms
 * @param backoffMax the longest pause between attempts; default 5 s
 * @param maxPendingCommands how many commands may wait for their replies at once (sent or queued,
 *     timed out ones included until their reply comes); past it a command fails at once with
 *     {@link RedisOverloadedException}; default 10,000
 * @param maxBulkBytes the longest bulk string accepted from Redis (a longer one is a protocol
 *     error and drops the link); default 512 MiB, Redis's own limit
 * @param maxQueuedEvents how many events a {@link RedisSubscriber} holds for a task that does not
 *     {@code receive} them yet; when it is full, the subscriber stops reading its socket until
 *     there is room (Redis then buffers, and past its {@code client-output-buffer-limit} for
 *     pub/sub it disconnects: a {@link RedisEvent.LinkLost}); default 10,000
 * @param pingInterval how long a link may stay silent before it is checked with a {@code PING};
 *     if nothing comes back within the command timeout, the link is taken as lost (a stalled
 *     or unreachable Redis sends no reset), then rebuilt like a broken one; default 2 s. So a
 *     stall is noticed within {@code pingInterval + commandTimeout}. (Commands that block in
 *     Redis longer than the command timeout, such as {@code BLPOP key 0}, do not fit a shared
 *     connection anyway: their callers time out.)
 */
public record RedisOptions(Duration connectTimeout, Duration commandTimeout, Duration backoffMin,
        Duration backoffMax, int maxPendingCommands, long maxBulkBytes, int maxQueuedEvents,
        Duration pingInterval) {

    public RedisOptions {
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(commandTimeout, "commandTimeout");
        requirePositive(backoffMin, "backoffMin");
        requirePositive(backoffMax, "backoffMax");
        requirePositive(pingInterval, "pingInterval");
        if (backoffMax.compareTo(backoffMin) < 0) {
            throw new IllegalArgumentException("backoff max " + backoffMax + " is shorter than its min " + backoffMin);
        }
        if (maxPendingCommands < 1) {
            throw new IllegalArgumentException("maxPendingCommands must be at least 1, not " + maxPendingCommands);
        }
        if (maxBulkBytes < 1) {
            throw new IllegalArgumentException("maxBulkBytes must be at least 1, not " + maxBulkBytes);
        }
        if (maxQueuedEvents < 1) {
            throw new IllegalArgumentException("maxQueuedEvents must be at least 1, not " + maxQueuedEvents);
        }
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, not " + duration);
        }
    }

    /** The defaults listed above. */
    public static RedisOptions defaults() {
        return new RedisOptions(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(100),
                Duration.ofSeconds(5), 10_000, 512L * 1024 * 1024, 10_000, Duration.ofSeconds(2));
    }

    public RedisOptions connectTimeout(Duration timeout) {
        return new RedisOptions(timeout, commandTimeout, backoffMin, backoffMax, maxPendingCommands, maxBulkBytes,
                maxQueuedEvents, pingInterval);
    }

    public RedisOptions commandTimeout(Duration timeout) {
        return new RedisOptions(connectTimeout, timeout, backoffMin, backoffMax, maxPendingCommands, maxBulkBytes,
                maxQueuedEvents, pingInterval);
    }

    /** The pauses between reconnection attempts: {@code min}, doubling up to {@code max}. */
    public RedisOptions backoff(Duration min, Duration max) {
        return new RedisOptions(connectTimeout, commandTimeout, min, max, maxPendingCommands, maxBulkBytes,
                maxQueuedEvents, pingInterval);
    }

    public RedisOptions maxPendingCommands(int max) {
        return new RedisOptions(connectTimeout, commandTimeout, backoffMin, backoffMax, max, maxBulkBytes,
                maxQueuedEvents, pingInterval);
    }

    public RedisOptions maxBulkBytes(long max) {
        return new RedisOptions(connectTimeout, commandTimeout, backoffMin, backoffMax, maxPendingCommands, max,
                maxQueuedEvents, pingInterval);
    }

    public RedisOptions pingInterval(Duration interval) {
        return new RedisOptions(connectTimeout, commandTimeout, backoffMin, backoffMax, maxPendingCommands,
                maxBulkBytes, maxQueuedEvents, interval);
    }

    public RedisOptions maxQueuedEvents(int max) {
        return new RedisOptions(connectTimeout, commandTimeout, backoffMin, backoffMax, maxPendingCommands,
                maxBulkBytes, max, pingInterval);
    }
}
