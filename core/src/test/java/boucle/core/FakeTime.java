package boucle.core;

/**
 * A clock and event source for tests: waiting for a timer jumps the clock straight to it, so timer
 * tests are instant and deterministic. Records every wait so tests can see what the loop did.
 */
final class FakeTime implements Clock, EventSource {
    final long start = 1_000_000_000L;
    private long now = start;
    final java.util.List<Long> waits = new java.util.ArrayList<>();

    @Override
    public long nanoTime() {
        return now;
    }

    void advance(long nanos) {
        now += nanos;
    }

    long elapsedMillis() {
        return (now - start) / 1_000_000;
    }

    @Override
    public void poll(long timeoutNanos) {
        if (timeoutNanos == Long.MAX_VALUE) {
            throw new AssertionError("the loop would wait forever");
        }
        waits.add(timeoutNanos);
        now += timeoutNanos;
    }

    @Override
    public void wakeup() {
    }

    @Override
    public boolean hasWaiters() {
        return false;
    }

    @Override
    public void close() {
    }

    Loop newLoop() {
        return new Loop(this, this);
    }
}
