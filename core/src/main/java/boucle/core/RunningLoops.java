package boucle.core;

import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * The loops running in this JVM: what the {@link SlowStepWatchdog} watches, and what the
 * {@link LoopsMXBean} dumps. A loop is in it from the start to the end of each of its runs.
 */
final class RunningLoops implements LoopsMXBean {
    private static final System.Logger LOG = Handle.LOG;
    private static final Set<Loop> LOOPS = ConcurrentHashMap.newKeySet();
    private static final long DUMP_WAIT_SECONDS = 5;
    static final ObjectName NAME = name();

    private RunningLoops() {
    }

    /**
     * Registers the JMX bean; called once, by the watchdog's thread as it starts, so that the
     * platform MBean server's start-up cost never lands on a loop's thread.
     */
    static void registerBean() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            if (!server.isRegistered(NAME)) {
                server.registerMBean(new RunningLoops(), NAME);
            }
        } catch (InstanceAlreadyExistsException alreadyThere) {
            // registered meanwhile by another caller: what we wanted
        } catch (JMException | SecurityException | LinkageError e) {
            // LinkageError: JMX's classes could not be loaded, e.g. with the process out of descriptors
            LOG.log(System.Logger.Level.DEBUG, "task dumps over JMX are not available", e);
        }
    }

    private static ObjectName name() {
        try {
            return new ObjectName("boucle.core:type=Loops");
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e); // a constant: cannot happen
        }
    }

    static void started(Loop loop) {
        LOOPS.add(loop);
    }

    static void ended(Loop loop) {
        LOOPS.remove(loop);
    }

    static Iterable<Loop> all() {
        return LOOPS;
    }

    @Override
    public int getRunningLoops() {
        return LOOPS.size();
    }

    @Override
    public String dumpTasks() {
        StringBuilder text = new StringBuilder();
        for (Loop loop : LOOPS) {
            try {
                text.append(loop.dumpTasksThreadsafe().get(DUMP_WAIT_SECONDS, TimeUnit.SECONDS));
            } catch (TimeoutException e) {
                text.append("a loop did not answer within ").append(DUMP_WAIT_SECONDS)
                        .append(" s: a step holds it (see the slow-step warnings)\n");
            } catch (ExecutionException e) {
                text.append("a loop failed to dump its tasks: ").append(e.getCause()).append('\n');
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return text.isEmpty() ? "no loop is running\n" : text.toString();
    }
}
