package boucle.core;

import java.util.concurrent.locks.LockSupport;

/**
 * Reports a step that holds its loop too long: a task that computes or blocks without suspending
 * starves every other task of the loop. Rule: <em>a step that runs past its loop's threshold
 * (default 100 ms) is reported once, at WARNING through {@link System.Logger}, with the task's
 * name and the loop thread's stack</em> (the mounted coroutine's frames are on it).
 *
 * <p>One shared daemon thread watches every running loop. It wakes every half threshold and
 * compares each loop's step count with what it saw before, so the loop itself never reads a
 * clock for this. It sleeps for good while no loop runs. As it starts, it also registers the
 * {@link LoopsMXBean}, off the loops' threads.
 */
final class SlowStepWatchdog {
    private static final System.Logger LOG = Handle.LOG;
    private static final long MIN_TICK_NANOS = 5_000_000L;

    private SlowStepWatchdog() {
    }

    /** The one watchdog thread, started by the first loop that runs (class initialisation is once). */
    private static final class Watcher {
        static final Thread THREAD = Thread.ofPlatform().daemon().name("boucle-slow-step-watchdog")
                .start(SlowStepWatchdog::watchForever);
    }

    /** A loop starts running: register it, and make sure the watchdog looks at it. */
    static void watch(Loop loop) {
        RunningLoops.started(loop);
        LockSupport.unpark(Watcher.THREAD);
    }

    static void forget(Loop loop) {
        RunningLoops.ended(loop);
    }

    private static void watchForever() {
        RunningLoops.registerBean();
        while (true) {
            long tick = Long.MAX_VALUE;
            long now = System.nanoTime();
            for (Loop loop : RunningLoops.all()) {
                long threshold = loop.watch.thresholdNanos();
                if (threshold > 0) {
                    look(loop, threshold, now);
                    tick = Math.min(tick, Math.max(MIN_TICK_NANOS, threshold / 2));
                }
            }
            if (tick == Long.MAX_VALUE) {
                LockSupport.park(SlowStepWatchdog.class); // no loop to watch: woken by the next watch()
            } else {
                LockSupport.parkNanos(SlowStepWatchdog.class, tick);
            }
        }
    }

    private static void look(Loop loop, long threshold, long now) {
        StepWatch watch = loop.watch;
        long steps = watch.steps();
        Runnable step = watch.current();
        if (steps != watch.seenSteps || step == null) {
            watch.seenSteps = steps;
            watch.seenSince = now;
            return;
        }
        if (now - watch.seenSince >= threshold && watch.reportedSteps != steps) {
            watch.reportedSteps = steps;
            report(loop, step, now - watch.seenSince);
        }
    }

    private static void report(Loop loop, Runnable step, long heldNanos) {
        String who = step instanceof Task<?>.Step taskStep
                ? "task '" + taskStep.task().nameForReport() + "'" : "a callback (" + step + ")";
        Thread owner = loop.owner();
        StringBuilder text = new StringBuilder(who).append(" has held its loop for at least ")
                .append(heldNanos / 1_000_000).append(" ms without suspending (threshold ")
                .append(loop.watch.thresholdNanos() / 1_000_000).append(" ms): every other task of the loop waits."
                        + " Suspend (interrupt()) in long computations, or move blocking work to"
                        + " Boucle.runInThread. Loop thread '").append(owner.getName()).append("' is at:");
        for (StackTraceElement frame : owner.getStackTrace()) {
            text.append("\n\tat ").append(frame);
        }
        LOG.log(System.Logger.Level.WARNING, text.toString());
    }
}
