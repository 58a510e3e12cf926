package boucle.net;

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
 * Fails a test after which Netty's leak detector (PARANOID in Surefire) reports a ByteBuf that was
 * never released. Registered for every test class through the extension service file.
 *
 * <p>A leak shows only once the lost buffer is garbage-collected and a later allocation polls the
 * detector's queue: after each test this collects, waits until the collector has enqueued a
 * sentinel reference (so the lost buffers' references are enqueued too), then allocates.
 */
public final class LeakCheck implements BeforeAllCallback, AfterEachCallback {
    /** Filled from whichever thread allocates (a loop's too): a concurrent queue, no monitor. */
    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();

    static {
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
        for (int round = 0; round < 3; round++) {
            collectGarbage();
            ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(16); // polls the detector's queue
            probe.release();
        }
        List<String> found = new ArrayList<>();
        for (String leak; (leak = LEAKS.poll()) != null; ) {
            found.add(leak);
        }
        if (!found.isEmpty()) {
            fail("ByteBuf leak(s) after " + context.getDisplayName() + ":\n" + String.join("\n", found));
        }
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
