package boucle.core;

import java.util.ArrayDeque;

/**
 * The loop's FIFO of ready work: task steps and {@link Loop#callSoon} callbacks, in the order they
 * became ready. A task that waits is in no queue at all; whatever wakes it adds its step here.
 *
 * <p>A turn runs one batch: what was ready when the batch began. Work made ready by the batch
 * itself (a task that {@link Boucle#interrupt()}s, a callback that calls {@code callSoon}) waits
 * for the next turn, after the loop has looked for events again: a task that always gives the hand
 * back never starves the sockets or the timers. Loop thread only.
 */
final class ReadyQueue {
    private final ArrayDeque<Runnable> ready = new ArrayDeque<>();

    void add(Runnable work) {
        ready.addLast(work);
    }

    boolean isEmpty() {
        return ready.isEmpty();
    }

    /** Runs the batch that is ready now, telling {@code watch} which step runs (for the slow-step report). */
    void runBatch(StepWatch watch) {
        for (int batch = ready.size(); batch > 0; batch--) {
            Runnable next = ready.pollFirst();
            watch.starting(next);
            next.run();
        }
        watch.idle();
    }
}
