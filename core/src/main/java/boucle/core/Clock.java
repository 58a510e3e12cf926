package boucle.core;

/**
 * The loop's sense of time: a monotonic nanosecond counter, like {@link System#nanoTime()}.
 * Injected so that tests can drive timers without waiting for real time to pass.
 */
@FunctionalInterface
public interface Clock {
    Clock SYSTEM = System::nanoTime;

    long nanoTime();
}
