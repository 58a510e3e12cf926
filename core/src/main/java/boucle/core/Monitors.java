package boucle.core;

import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;

/**
 * Refuses to start a loop on a thread that holds a monitor: resuming a continuation under a
 * {@code synchronized} block crashes the JVM (SIGSEGV in thaw), so a clear error here is the only
 * safe answer. Checked once per loop entry, not per step.
 */
final class Monitors {
    private Monitors() {
    }

    static void requireNoneHeld() {
        ThreadInfo[] infos = ManagementFactory.getThreadMXBean()
                .getThreadInfo(new long[] {Thread.currentThread().threadId()}, true, false);
        MonitorInfo[] held = infos[0] == null ? new MonitorInfo[0] : infos[0].getLockedMonitors();
        if (held.length > 0) {
            throw new IllegalStateException("a Boucle loop cannot run while its thread holds a monitor ("
                    + held[0] + " locked in " + held[0].getLockedStackFrame() + "): resuming a task under"
                    + " 'synchronized' crashes the JVM. Start the loop outside any synchronized block.");
        }
    }
}
