package boucle.test;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test after which Netty's leak detector reports a ByteBuf that was never released. The
 * detector is set to PARANOID (every buffer tracked) as soon as this class loads. {@link BoucleTest}
 * methods get the check; for other tests, register it: {@code @ExtendWith(LeakCheck.class)}, or for
 * every test class with JUnit's extension auto-detection
 * ({@code META-INF/services/org.junit.jupiter.api.extension.Extension} naming {@code boucle.test.LeakCheck}).
 *
 * <p>The recording detector must be installed before Netty's {@code ByteBuf} classes load: keep
 * buffers out of static initializers of test classes.
 *
 * <p>A leak shows only once the lost buffer is garbage-collected and a later allocation polls the
 * detector's queue: after each test this collects, waits until the collector has enqueued a
 * sentinel reference (so the lost buffers' references are enqueued too), then allocates.
 */
public final class LeakCheck implements BeforeAllCallback, AfterEachCallback {
    /** Filled from whichever thread allocates (a loop's too): a concurrent queue, no monitor. */
    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        // must run before ByteBuf's class creates its detector: nothing in a test class touches one earlier
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                    long maxActive) {
                return new Recording<>(resource, samplingInterval);
            }
        });
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // the static initializer has run
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        List<String> found = leaks();
        if (!found.isEmpty()) {
            fail("ByteBuf leak(s) after " + context.getDisplayName() + ":\n" + String.join("\n", found));
        }
    }

    /** Makes the detector report every lost buffer now, and returns (and forgets) the reports. Any thread. */
    public static List<String> leaks() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            collectGarbage();
            ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(16); // polls the detector's queue
            probe.release();
        }
        List<String> found = new ArrayList<>();
        for (String leak; (leak = LEAKS.poll()) != null; ) {
            found.add(leak);
        }
        return found;
    }

    /** Loads this class, which installs the recording detector; the extension calls it first thing. */
    static void install() {
        // the static initializer has run
    }

    private static void collectGarbage() throws InterruptedException {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        PhantomReference<Object> sentinel = new PhantomReference<>(new Object(), queue);
        for (int i = 0; i < 10 && queue.poll() == null; i++) {
            System.gc();
            if (queue.remove(200) != null) {
                break;
            }
        }
        sentinel.clear();
    }

    private static final class Recording<T> extends ResourceLeakDetector<T> {
        Recording(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            record(resourceType + " leaked:" + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            record(resourceType + " leaked (no record)");
        }

        private static void record(String leak) {
            LEAKS.add(leak);
        }
    }
}
