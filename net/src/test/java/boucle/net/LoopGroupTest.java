package boucle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Boucle;
import boucle.core.Event;
import boucle.core.Loop;
import boucle.core.LoopClosedException;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link LoopGroup}: its threads, tasks submitted to it, calls between its loops, its end. */
class LoopGroupTest {

    @Test
    void eachLoopRunsOnANamedNettyThreadOfItsOwn() throws Exception {
        try (LoopGroup group = LoopGroup.start(3, "named")) {
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < group.size(); i++) {
                int index = i;
                seen.add(group.submit(i, () -> {
                    Thread thread = Thread.currentThread();
                    assertTrue(thread instanceof FastThreadLocalThread, "Netty's recycling works here");
                    assertFalse(thread.isDaemon());
                    assertEquals(group.loop(index), Loop.current());
                    return thread.getName();
                }).get(10, TimeUnit.SECONDS));
            }
            assertEquals(List.of("named-0", "named-1", "named-2"), seen);
        }
    }

    @Test
    void aSubmittedTaskThatFailsFailsItsFuture() {
        try (LoopGroup group = LoopGroup.start(1)) {
            ExecutionException failed = assertThrows(ExecutionException.class, () -> group.submit(0, () -> {
                throw new IllegalStateException("on purpose");
            }).get(10, TimeUnit.SECONDS));
            assertEquals("on purpose", failed.getCause().getMessage());
        }
    }

    @Test
    void aSubmitToAGroupThatEndedFailsInsteadOfHanging() {
        LoopGroup group = LoopGroup.start(2);
        group.close();
        CompletableFuture<String> late = group.submit(1, () -> "never");
        ExecutionException failed = assertThrows(ExecutionException.class, () -> late.get(10, TimeUnit.SECONDS));
        assertTrue(failed.getCause().getMessage().contains("ended before it ran"), failed.getCause().getMessage());
    }

    @Test
    void aCallToAnotherLoopOfTheGroupParksOnlyTheCaller() throws Exception {
        try (LoopGroup group = LoopGroup.start(2, "calls")) {
            String answer = group.submit(0, () -> {
                Loop other = group.loop(1);
                return Boucle.callOn(other, () -> "from " + Thread.currentThread().getName());
            }).get(10, TimeUnit.SECONDS);
            assertEquals("from calls-1", answer);
        }
    }

    @Test
    void socketsOfEveryTransportAreRefusedAtTheLoopsBorder() throws Exception {
        try (LoopGroup group = LoopGroup.start(2, "border")) {
            String refused = group.submit(0, () -> {
                try (AsyncDatagramSocket udp = AsyncDatagramSocket.bind("127.0.0.1", 0)) {
                    try {
                        Boucle.callOn(group.loop(1), () -> udp.localAddress().getPort());
                        return "crossed";
                    } catch (IllegalArgumentException refusedHere) {
                        return refusedHere.getMessage();
                    }
                }
            }).get(10, TimeUnit.SECONDS);
            assertTrue(refused.contains("AsyncDatagramSocket"), refused);
        }
    }

    @Test
    void aCallWhoseLoopShutsDownEndsWithAClearErrorAndTheGroupStillEnds() throws Exception {
        LoopGroup group = LoopGroup.start(2, "dying");
        CompletableFuture<Object> caller = group.submit(0, () -> Boucle.callOn(group.loop(1), () -> {
            new Event().await(); // never set: only the loop's end stops it
            return "never";
        }));
        group.loop(1).callSoonThreadsafe(() -> group.loop(1).stop()); // loop 1 ends (and closes) alone
        ExecutionException failed = assertThrows(ExecutionException.class, () -> caller.get(10, TimeUnit.SECONDS));
        assertInstanceOf(LoopClosedException.class, failed.getCause());
        group.close();
        assertTrue(group.awaitTermination(Duration.ofSeconds(10)));
    }

    @Test
    void theJmxDumpCoversEveryLoopOfTheGroup() throws Exception {
        try (LoopGroup group = LoopGroup.start(3, "jmx")) {
            for (int i = 0; i < group.size(); i++) {
                String name = "probe-on-loop-" + i;
                group.submit(i, () -> Loop.current().spawn(name, () -> new Event().await()).name())
                        .get(10, TimeUnit.SECONDS); // parked there until the group closes
            }
            javax.management.MBeanServer beans = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            javax.management.ObjectName loops = new javax.management.ObjectName("boucle.core:type=Loops");
            awaitRegistered(beans, loops); // the watchdog's thread registers it as it starts: maybe not yet
            assertTrue((Integer) beans.getAttribute(loops, "RunningLoops") >= 3);
            String dump = (String) beans.invoke(loops, "dumpTasks", new Object[0], new String[0]);
            for (int i = 0; i < group.size(); i++) {
                assertTrue(dump.contains("probe-on-loop-" + i), dump);
            }
        }
    }

    /** Waits (10 s at most) for the bean to be registered, told by the MBean server's own notification. */
    private static void awaitRegistered(javax.management.MBeanServer beans, javax.management.ObjectName name)
            throws Exception {
        CompletableFuture<Void> registered = new CompletableFuture<>();
        javax.management.NotificationListener listener = (notification, handback) -> {
            if (notification instanceof javax.management.MBeanServerNotification told
                    && name.equals(told.getMBeanName())) {
                registered.complete(null);
            }
        };
        beans.addNotificationListener(javax.management.MBeanServerDelegate.DELEGATE_NAME, listener, null, null);
        try {
            if (!beans.isRegistered(name)) { // after adding the listener: a registration in between is heard
                registered.get(10, TimeUnit.SECONDS);
            }
        } finally {
            beans.removeNotificationListener(javax.management.MBeanServerDelegate.DELEGATE_NAME, listener);
        }
    }

    @Test
    void closeFromOneOfItsOwnLoopsIsRefused() throws Exception {
        try (LoopGroup group = LoopGroup.start(1)) {
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> group.submit(0, () -> {
                        group.close();
                        return null;
                    }).get(10, TimeUnit.SECONDS));
            assertTrue(refused.getCause().getMessage().contains("shutdownGracefully()"), refused.getCause().getMessage());
        }
    }
}
