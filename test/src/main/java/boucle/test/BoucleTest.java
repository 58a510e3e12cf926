package boucle.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A JUnit 5 test that runs as a task on a fresh loop: use it instead of {@code @Test}. The method
 * may declare a {@link boucle.core.Loop} parameter (the loop it runs on) and a
 * {@link boucle.core.VirtualClock} parameter, which makes the loop's time virtual, jumping to the
 * next timer whenever every task waits.
 *
 * <pre>{@code
 * @BoucleTest
 * void idleConnectionsAreClosedAfterThirtySeconds(VirtualClock clock) throws Exception {
 *     try (AsyncSocketPair pair = AsyncSocketPair.open()) {
 *         Task<Void> handler = Boucle.spawn(() -> server.handle(pair.right()));
 *         assertNull(pair.left().readLine(100));            // the server closed it: end of stream
 *         assertEquals(Duration.ofSeconds(30), clock.elapsed());
 *     }
 * }
 * }</pre>
 *
 * The test fails, besides its own assertions, when:
 * <ul>
 *   <li>a task it spawned failed and nothing awaited it or read its outcome by the end;</li>
 *   <li>a task is still alive when the test method returns (stranded, parked, or just forgotten:
 *       await it, or cancel it, before returning); the tasks are listed with their stacks;</li>
 *   <li>Netty's leak detector (set to PARANOID) reports a {@code ByteBuf} that was never released;</li>
 *   <li>it outlives {@link #timeoutMillis()}: the loop's tasks are then listed and cancelled; the
 *       loop's thread is never interrupted.</li>
 * </ul>
 *
 * <p>The loop runs on a thread of its own (a Netty {@code FastThreadLocalThread}), not on JUnit's,
 * so JUnit's {@code @Timeout} may use either thread mode. With {@code boucle-net} on the class path
 * the loop is a selector loop ({@code Net.newLoop}), so the test can use sockets.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Test
@ExtendWith(BoucleExtension.class)
public @interface BoucleTest {
    /** How long the test may run, in real milliseconds (default 10 s). */
    long timeoutMillis() default 10_000;
}
