package boucle.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What a loop runs right now, written by the loop's thread at every step and read by the
 * {@link SlowStepWatchdog}'s thread. The hot path pays two plain stores per step and no clock
 * read: the watchdog does the timing, by noticing that the step count has not moved.
 */
final class StepWatch {
    static final long DEFAULT_THRESHOLD_NANOS = Long.getLong("boucle.slowStepMillis", 100) * 1_000_000L;
    private static final VarHandle STEPS;

    static {
        try {
            STEPS = MethodHandles.lookup().findVarHandle(StepWatch.class, "steps", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Bumped before each step and when the loop goes idle; only the loop's thread writes it. */
    private long steps;
    /** The step running, or {@code null} while the loop waits or is between steps. Read racily. */
    private Runnable current;
    /** How long a step may run before it is reported; set from any thread. */
    private volatile long thresholdNanos = DEFAULT_THRESHOLD_NANOS;

    // the watchdog's own bookkeeping, touched by its thread only
    long seenSteps = -1;
    long seenSince;
    /** The loop thread's CPU time when {@link #seenSince} was taken, or negative when unknown. */
    long seenCpu = -1;
    /** The step seen past the threshold but not blamed (little CPU, no blocking call), or {@code null}. */
    Runnable descheduledStep;
    long descheduledWall;
    long descheduledCpu;
    /** When the last descheduling note was logged, and how many were left out since. */
    long lastDescheduledNote;
    int descheduledSilenced;
    long reportedSteps = -1;

    void starting(Runnable step) {
        current = step;
        STEPS.setOpaque(this, steps + 1); // opaque: the watchdog sees it soon, and it costs a plain store
    }

    void idle() {
        current = null;
        STEPS.setOpaque(this, steps + 1);
    }

    long steps() {
        return (long) STEPS.getOpaque(this);
    }

    Runnable current() {
        return current;
    }

    long thresholdNanos() {
        return thresholdNanos;
    }

    void setThresholdNanos(long nanos) {
        thresholdNanos = nanos;
    }
}
