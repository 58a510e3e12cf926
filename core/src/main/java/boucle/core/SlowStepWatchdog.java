package boucle.core;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.locks.LockSupport;

/**
 * Reports a step that holds its loop too long: a task that computes or blocks without suspending
 * starves every other task of the loop. Rule: <em>a step that runs past its loop's threshold
 * (default 100 ms) is reported once through {@link System.Logger}, with the task's name, what
 * held the loop, and the task's own frames</em>. The loop thread's CPU time over the step, against
 * the wall time, tells a step that computes or blocks in a call (WARNING) from a thread that was
 * descheduled (INFO, not blamed on the task); see {@link SlowStepReport}.
 *
 * <p>One shared daemon thread watches every running loop. It wakes every half threshold and
 * compares each loop's step count with what it saw before, so the loop itself never reads a
 * clock for this. It sleeps for good while no loop runs. As it starts, it also registers the
 * {@link LoopsMXBean}, off the loops' threads.
 */
final class SlowStepWatchdog {
    private static final System.Logger LOG = Handle.LOG;
    private static final long MIN_TICK_NANOS = 5_000_000L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** At most one note per loop per interval about a thread that was descheduled: an overloaded machine is one fact. */
    private static final long DESCHEDULED_NOTE_INTERVAL_NANOS = 10_000_000_000L;

    private SlowStepWatchdog() {
    }

    /** The one watchdog thread, started by the first loop that runs (class initialisation is once). */
    private static final class Watcher {
        static final Thread THREAD = start();

        private static Thread start() {
            // loaded here, on the first loop's thread before it serves, not by the watchdog once it
            // runs: a server flooded at once can be out of descriptors (EMFILE) by then, and a
            // class that cannot be opened fails for good, which would end the watchdog
            loadAhead(SlowStepReport.class, SlowStepReport.Cause.class);
            return Thread.ofPlatform().daemon().name("boucle-slow-step-watchdog").start(SlowStepWatchdog::watchForever);
        }
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
            if (watch.descheduledStep != null) {
                noteDescheduled(loop, watch, now); // it ended unblamed: the thread waited for a CPU
            }
            watch.seenSteps = steps;
            watch.seenSince = now;
            watch.seenCpu = step == null ? -1 : cpuTime(loop.owner());
            return;
        }
        long held = now - watch.seenSince;
        if (held >= threshold && watch.reportedSteps != steps) {
            Thread owner = loop.owner();
            long cpuNow = watch.seenCpu < 0 ? -1 : cpuTime(owner);
            long cpu = cpuNow < 0 ? -1 : cpuNow - watch.seenCpu;
            Thread.State state = owner.getState();
            StackTraceElement[] stack = owner.getStackTrace();
            if (watch.steps() != steps) {
                return; // the step ended while we looked: that stack is not its; judged at the next look
            }
            String who = describe(step);
            SlowStepReport report = new SlowStepReport(who, owner.getName(), threshold, held, cpu, state, stack);
            if (report.cause == SlowStepReport.Cause.DESCHEDULED) {
                watch.descheduledStep = step; // not blamed yet: its CPU time may still pass the threshold
                watch.descheduledWall = held;
                watch.descheduledCpu = cpu;
                return;
            }
            watch.reportedSteps = steps;
            watch.descheduledStep = null;
            LOG.log(report.level, report.message);
        }
    }

    /** A step that held the loop past the threshold without being blamed: noted at INFO, rate-limited. */
    private static void noteDescheduled(Loop loop, StepWatch watch, long now) {
        Runnable step = watch.descheduledStep;
        watch.descheduledStep = null;
        if (watch.lastDescheduledNote != 0 && now - watch.lastDescheduledNote < DESCHEDULED_NOTE_INTERVAL_NANOS) {
            watch.descheduledSilenced++;
            return;
        }
        SlowStepReport report = new SlowStepReport(describe(step), loop.owner().getName(), watch.thresholdNanos(),
                watch.descheduledWall, watch.descheduledCpu, Thread.State.RUNNABLE, new StackTraceElement[0]);
        String silenced = watch.descheduledSilenced == 0 ? ""
                : " (" + watch.descheduledSilenced + " more like it since the last note)";
        watch.lastDescheduledNote = now;
        watch.descheduledSilenced = 0;
        LOG.log(report.level, report.message + silenced);
    }

    private static String describe(Runnable step) {
        return step instanceof Task<?>.Step taskStep
                ? "task '" + taskStep.task().nameForReport() + "'" : "a callback (" + step + ")";
    }

    /** The thread's CPU time in nanoseconds, or -1 where the JVM cannot tell. */
    /**
     * Loads and initialises the report's classes now: a server that has run out of file
     * descriptors (EMFILE) cannot load a class from a directory, and the watchdog would die then.
     */
    private static void loadAhead(Class<?>... classes) {
        for (Class<?> type : classes) {
            try {
                Class.forName(type.getName(), true, type.getClassLoader());
            } catch (ClassNotFoundException impossible) {
                throw new AssertionError(impossible); // the class literal above was already loaded
            }
        }
    }

    private static long cpuTime(Thread thread) {
        try {
            return THREADS.isThreadCpuTimeSupported() ? THREADS.getThreadCpuTime(thread.threadId()) : -1;
        } catch (UnsupportedOperationException disabled) {
            return -1;
        }
    }
}
