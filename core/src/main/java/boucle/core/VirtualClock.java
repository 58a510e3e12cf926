package boucle.core;

import java.time.Duration;
import java.util.Objects;

/**
 * A clock for tests that stands still until it is moved, so that timer code runs deterministically
 * and at once: a test of a 30 s idle timeout takes milliseconds. Give it to a loop with
 * {@code new Loop(clock, events)} or {@code Net.newLoop(clock)}.
 *
 * <pre>{@code
 * VirtualClock clock = VirtualClock.autojump();
 * try (Loop loop = new Loop(clock, new ...)) {
 *     loop.runTask(() -> Boucle.sleep(Duration.ofSeconds(30)));   // returns at once
 * }
 * }</pre>
 *
 * <h2>Autojump</h2>
 * An {@link #autojump()} clock is moved by its loop, as trio's {@code MockClock(autojump_threshold=0)}:
 * when no task is ready, nothing came from another thread, and no socket is ready, the clock
 * jumps straight to the next timer. Tasks therefore see time pass only while all of them wait,
 * and every timer still fires in deadline order, one turn per deadline.
 *
 * <p>While something outside the loop may still wake a task (a task parked on a socket, a
 * {@link Boucle#runInThread} call in flight), the loop first waits {@link #ioThreshold()} of real
 * time for it; only then does the clock jump. A peer on another thread that is slower than that
 * (a client thread that takes its time to write) can thus see the loop's timers fire "early" in
 * virtual time. For handler tests where that matters, use in-process peers in the same loop, or a
 * larger threshold.
 *
 * <p>A {@linkplain #VirtualClock() manual} clock never moves by itself: a test moves it with
 * {@link #advance}, and a loop that has only timers left waits (really) until another thread
 * posts work.
 *
 * <p>Threads: {@link #nanoTime()} from any thread; {@link #advance} from the thread that runs the
 * loop (a task or a callback), or from any thread while no loop runs on the clock.
 */
public final class VirtualClock implements Clock {
    /** Where time starts: far from zero, so that code subtracting from "now" sees no special case. */
    private static final long START = 1_000_000_000L;
    private static final Duration DEFAULT_IO_THRESHOLD = Duration.ofMillis(20);

    private volatile long now = START;
    private final boolean autojump;
    private final long ioThresholdNanos;

    /** A manual clock: time moves only by {@link #advance}. */
    public VirtualClock() {
        this(false, Duration.ZERO);
    }

    private VirtualClock(boolean autojump, Duration ioThreshold) {
        if (ioThreshold.isNegative()) {
            throw new IllegalArgumentException("a threshold cannot be negative: " + ioThreshold);
        }
        this.autojump = autojump;
        this.ioThresholdNanos = ioThreshold.toNanos();
    }

    /** A clock that jumps to the next timer whenever every task waits (see the class javadoc). */
    public static VirtualClock autojump() {
        return new VirtualClock(true, DEFAULT_IO_THRESHOLD);
    }

    /**
     * An autojump clock that, while sockets or thread calls are in play, waits {@code ioThreshold}
     * of real time with nothing ready before each jump (default 20 ms).
     */
    public static VirtualClock autojump(Duration ioThreshold) {
        return new VirtualClock(true, Objects.requireNonNull(ioThreshold, "ioThreshold"));
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /** Moves time forward by {@code duration}; timers now due fire at the loop's next turn. */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time only moves forward, not by " + duration);
        }
        now += duration.toNanos();
    }

    /** How much virtual time has passed since the clock was made. */
    public Duration elapsed() {
        return Duration.ofNanos(now - START);
    }

    public boolean isAutojump() {
        return autojump;
    }

    /** How long an autojump clock waits in real time, while outside events may come, before a jump. */
    public Duration ioThreshold() {
        return Duration.ofNanos(ioThresholdNanos);
    }

    // ---- for the loop -------------------------------------------------------------------------

    /**
     * How long an idle loop may wait for outside events, in real nanoseconds: an autojump clock
     * looks (or waits its threshold while the outside may still wake a task); a manual clock's time
     * does not pass while the loop waits, so a timer bounds nothing.
     */
    long idleWaitNanos(boolean outsideMayWake, long nanosUntilNextTimer) {
        if (nanosUntilNextTimer == 0) {
            return 0; // a timer is due: run it, do not wait
        }
        if (!autojump) {
            return Long.MAX_VALUE;
        }
        if (nanosUntilNextTimer == Long.MAX_VALUE) {
            return Long.MAX_VALUE; // no timer to jump to: only the outside can wake anyone
        }
        return outsideMayWake ? ioThresholdNanos : 0;
    }

    /** The loop found nothing ready after its wait: an autojump clock moves to the next timer. */
    void loopIdle(Handle nextTimer) {
        if (autojump && nextTimer != null && nextTimer.deadline - now > 0) {
            now = nextTimer.deadline;
        }
    }

    @Override
    public String toString() {
        return "VirtualClock[" + elapsed() + (autojump ? ", autojump" : ", manual") + "]";
    }
}
