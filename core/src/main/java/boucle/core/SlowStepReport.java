package boucle.core;

import java.lang.System.Logger.Level;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the slow-step watchdog says about one step that held its loop past the threshold. The cause
 * is told from the loop thread's CPU time over the step, compared with the wall time:
 * <ul>
 *   <li><b>computing</b>: the thread was on CPU for most of it, or for more than the threshold
 *       (on a busy machine a computing thread gets only a share of a CPU), so the step itself
 *       holds the loop; WARNING, with the task's own frames and the advice to suspend with
 *       {@link Boucle#interrupt()} now and then;</li>
 *   <li><b>blocked in a call</b>: little CPU, and the thread is blocked or waiting (a lock,
 *       {@code Thread.sleep}, a park), or running a native I/O method (a blocking read or write of
 *       a socket or file); WARNING, naming the call, with the advice to move it to
 *       {@link Boucle#runInThread};</li>
 *   <li><b>descheduled</b>: little CPU and not in a blocking call: the thread was not given a CPU
 *       (an overloaded machine, a stopped or paused process), which is not the task's doing. The
 *       watchdog keeps watching such a step (its CPU time may still pass the threshold) and, if it
 *       ends unblamed, notes it at INFO without a stack, at most once per interval per loop.</li>
 * </ul>
 * The stack shown is the task's own code: the frames of the mounted coroutine only (not the
 * loop's, nor the thread's below it), without those of the JDK and of this package's machinery,
 * at most {@value #MAX_FRAMES}, innermost first.
 */
final class SlowStepReport {
    static final int MAX_FRAMES = 8;
    /** On CPU for at least this share of the wall time: the step is computing. */
    static final double COMPUTING_CPU_SHARE = 0.5;

    enum Cause { COMPUTING, BLOCKED_IN_CALL, DESCHEDULED }

    private static final CodeSource CORE = codeSource(SlowStepReport.class);
    private static final Map<String, Boolean> CORE_CLASSES = new ConcurrentHashMap<>();

    final Cause cause;
    final Level level;
    final String message;

    /**
     * @param who        "task 'name'" or "a callback (...)"
     * @param wallNanos  how long the step has held the loop, as far as the watchdog saw
     * @param cpuNanos   the loop thread's CPU time over the same span, or negative when unknown
     * @param state      the loop thread's state when sampled
     * @param stack      the loop thread's stack when sampled, innermost first; empty if the step
     *                   ended meanwhile
     */
    SlowStepReport(String who, String threadName, long thresholdNanos, long wallNanos, long cpuNanos,
            Thread.State state, StackTraceElement[] stack) {
        this.cause = cause(thresholdNanos, wallNanos, cpuNanos, state, stack);
        this.level = cause == Cause.DESCHEDULED ? Level.INFO : Level.WARNING;
        long wallMillis = wallNanos / 1_000_000;
        String cpu = cpuNanos < 0 ? "" : ", on CPU for " + cpuNanos / 1_000_000 + " ms of it";
        String threshold = " (threshold " + thresholdNanos / 1_000_000 + " ms)";
        StringBuilder text = new StringBuilder();
        switch (cause) {
            case COMPUTING -> text.append(who).append(" has held its loop for at least ").append(wallMillis)
                    .append(" ms without suspending").append(threshold).append(cpu)
                    .append(": every other task of the loop waits. In a long computation, give the hand back"
                            + " now and then with Boucle.interrupt(); move blocking work to Boucle.runInThread.");
            case BLOCKED_IN_CALL -> text.append(who).append(" has held its loop for at least ").append(wallMillis)
                    .append(" ms, blocked in a call to ").append(format(blockingCall(stack))).append(" (thread ")
                    .append(state).append(')').append(threshold).append(cpu)
                    .append(": every other task of the loop waits. Move blocking work to Boucle.runInThread.");
            case DESCHEDULED -> text.append("loop thread '").append(threadName).append("' made no progress for ")
                    .append(wallMillis).append(" ms in a step of ").append(who).append(threshold).append(cpu)
                    .append(", and was not blocked in a call: the thread was descheduled or paused (an overloaded"
                            + " machine, a stopped process), not held by the step.");
        }
        if (cause != Cause.DESCHEDULED && stack.length > 0) {
            List<StackTraceElement> own = ownFrames(stack);
            text.append(" Its code is at (").append(own.size()).append(" of ").append(stack.length)
                    .append(" frames; the JDK's and Boucle's own are left out):");
            for (StackTraceElement frame : own) {
                text.append("\n\tat ").append(format(frame));
            }
        }
        this.message = text.toString();
    }

    static Cause cause(long thresholdNanos, long wallNanos, long cpuNanos, Thread.State state,
            StackTraceElement[] stack) {
        if (cpuNanos >= 0 && (cpuNanos >= wallNanos * COMPUTING_CPU_SHARE || cpuNanos >= thresholdNanos)) {
            return Cause.COMPUTING;
        }
        if (inBlockingCall(state, stack)) {
            return Cause.BLOCKED_IN_CALL;
        }
        return cpuNanos < 0 ? Cause.COMPUTING : Cause.DESCHEDULED; // no CPU clock: blame the step, as before
    }

    private static boolean inBlockingCall(Thread.State state, StackTraceElement[] stack) {
        return switch (state) {
            case BLOCKED, WAITING, TIMED_WAITING -> true;
            case RUNNABLE -> stack.length > 0 && isNativeIo(stack[0]);
            default -> false;
        };
    }

    /** A native method of the JDK's I/O (a socket or file read), not a quick one such as {@code nanoTime}. */
    private static boolean isNativeIo(StackTraceElement frame) {
        String type = frame.getClassName();
        return frame.isNativeMethod() && (type.startsWith("sun.nio.") || type.startsWith("java.io.")
                || type.startsWith("java.net.") || type.startsWith("sun.net.") || type.startsWith("jdk.internal.io.")
                || type.startsWith("java.lang.Process"));
    }

    /** The JDK (or library) method the task's code called and that blocks: the frame just inside its own code. */
    private static StackTraceElement blockingCall(StackTraceElement[] stack) {
        if (stack.length == 0) {
            return new StackTraceElement("?", "?", null, -1);
        }
        for (int i = 1; i < stack.length; i++) {
            if (!isMachinery(stack[i])) {
                return stack[i - 1];
            }
        }
        return stack[0];
    }

    /**
     * The task's own frames, innermost first, at most {@link #MAX_FRAMES}: those above the
     * continuation's entry (or, for a callback, above the loop), without machinery; if none is
     * left, the innermost frames as they are.
     */
    static List<StackTraceElement> ownFrames(StackTraceElement[] stack) {
        int end = stack.length;
        for (int i = 0; i < stack.length; i++) {
            String type = stack[i].getClassName();
            if (type.equals("jdk.internal.vm.Continuation") || type.equals(Loop.class.getName())) {
                end = i; // below this: the loop and whatever runs it, not the task
                break;
            }
        }
        List<StackTraceElement> own = new ArrayList<>(MAX_FRAMES);
        for (int i = 0; i < end && own.size() < MAX_FRAMES; i++) {
            if (!isMachinery(stack[i])) {
                own.add(stack[i]);
            }
        }
        for (int i = 0; own.isEmpty() && i < Math.min(MAX_FRAMES, stack.length); i++) {
            own.add(stack[i]);
        }
        return own;
    }

    /** "class.method(File.java:12)", without the module and loader prefixes of {@code toString()}. */
    static String format(StackTraceElement frame) {
        String where = frame.isNativeMethod() ? "Native Method"
                : frame.getFileName() == null ? "Unknown Source"
                : frame.getLineNumber() >= 0 ? frame.getFileName() + ":" + frame.getLineNumber() : frame.getFileName();
        return frame.getClassName() + "." + frame.getMethodName() + "(" + where + ")";
    }

    /** A frame of the JDK, or of this module's own classes (the loop, tasks, continuations). */
    static boolean isMachinery(StackTraceElement frame) {
        String type = frame.getClassName();
        if (type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.")
                || type.startsWith("com.sun.")) {
            return true;
        }
        return type.startsWith("boucle.core.") && CORE_CLASSES.computeIfAbsent(type, SlowStepReport::isCoreClass);
    }

    /** A class of this module, not a user's class that shares its package name (a test's). */
    private static boolean isCoreClass(String name) {
        try {
            Class<?> type = Class.forName(name, false, SlowStepReport.class.getClassLoader());
            CodeSource source = codeSource(type);
            return source == null ? CORE == null : source.equals(CORE);
        } catch (ClassNotFoundException | LinkageError unknown) {
            return false;
        }
    }

    private static CodeSource codeSource(Class<?> type) {
        return type.getProtectionDomain().getCodeSource();
    }
}
