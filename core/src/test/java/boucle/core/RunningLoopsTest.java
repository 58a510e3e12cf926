package boucle.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.management.JMX;
import org.junit.jupiter.api.Test;

class RunningLoopsTest {
    @Test
    void aRunningServerCanBeDumpedOverJmx() throws Exception {
        try (Loop loop = new Loop()) {
            Event shutdown = new Event();
            loop.spawn("acceptor", shutdown::await);
            CompletableFuture<String> dump = new CompletableFuture<>();
            CompletableFuture<Integer> running = new CompletableFuture<>();
            loop.callSoon(() -> Thread.ofPlatform().start(() -> {
                RunningLoops.registerBean(); // the watchdog registers it too; twice is harmless
                LoopsMXBean bean = JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(),
                        RunningLoops.NAME, LoopsMXBean.class);
                running.complete(bean.getRunningLoops());
                dump.complete(bean.dumpTasks());
                loop.callSoonThreadsafe(() -> {
                    shutdown.set();
                    loop.stop();
                });
            }));
            loop.runForever(); // a server: it runs until stopped, with its acceptor parked
            loop.run();
            assertEquals(1, running.get(10, TimeUnit.SECONDS));
            String text = dump.get(10, TimeUnit.SECONDS);
            assertTrue(text.contains("\"acceptor\" PARKED waiting on Event"), text);
        }
    }

    @Test
    void aLoopIsRegisteredOnlyWhileItRuns() {
        try (Loop loop = new Loop()) {
            boolean[] whileRunning = new boolean[1];
            loop.runTask(() -> whileRunning[0] = contains(loop));
            assertTrue(whileRunning[0]);
            assertTrue(!contains(loop));
        }
    }

    private static boolean contains(Loop loop) {
        for (Loop running : RunningLoops.all()) {
            if (running == loop) {
                return true;
            }
        }
        return false;
    }
}
