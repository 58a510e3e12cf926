/**
 * Boucle's test kit, for JUnit 5 (test scope).
 *
 * <ul>
 *   <li>{@link boucle.test.BoucleTest}: a test method run as a task on a fresh loop, failed on an
 *       unawaited task failure, a task left alive, a {@code ByteBuf} leak or a timeout; with
 *       {@link boucle.core.VirtualClock} time (declare it as a parameter) and
 *       {@link boucle.core.Loop#waitAllTasksBlocked()}.</li>
 *   <li>{@link boucle.test.LineClient}: a blocking line client with timeouts, for a server run in
 *       the background ({@code boucle.net.BackgroundServer}).</li>
 *   <li>{@link boucle.test.LogCapture}: what a logger logged, from any thread.</li>
 *   <li>{@link boucle.test.LeakCheck}: the leak check alone, for plain {@code @Test}s.</li>
 *   <li>{@link boucle.test.RedisServerProcess}: a real {@code redis-server} on a free loopback
 *       port, to stop, kill, pause and restart.</li>
 * </ul>
 *
 * In-process socket pairs with the {@code AsyncSocket} API are {@code boucle.net.AsyncSocketPair}.
 * Tests need the JVM flag {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED} (Surefire's
 * {@code argLine}), as everything that runs Boucle tasks does.
 */
package boucle.test;
