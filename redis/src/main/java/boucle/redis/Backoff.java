package boucle.redis;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The pauses between reconnection attempts: {@code min}, then doubling up to {@code max}, each
 * drawn at random in its upper half ("equal jitter"), so that many servers that lost the same
 * Redis do not all knock on it in the same millisecond when it comes back. One per link; loop thread.
 */
final class Backoff {
    private final long minNanos;
    private final long maxNanos;
    private long nextNanos;

    Backoff(Duration min, Duration max) {
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
        this.nextNanos = minNanos;
    }

    /** The pause before the next attempt; the one after is twice as long, up to the max. */
    Duration next() {
        long ceiling = nextNanos;
        nextNanos = Math.min(maxNanos, ceiling > maxNanos / 2 ? maxNanos : ceiling * 2);
        long half = ceiling / 2;
        return Duration.ofNanos(half + ThreadLocalRandom.current().nextLong(ceiling - half + 1));
    }

    /** The link is back: the next loss starts from the min again. */
    void reset() {
        nextNanos = minNanos;
    }
}
