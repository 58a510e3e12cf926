package boucle.core;

/**
 * Which loop a synchronisation primitive ({@link Event}, {@link Waiter}, {@link Lock},
 * {@link Condition}, {@link Semaphore}, {@link Queue}) belongs to, as asyncio binds its primitives:
 * the loop running on the thread that made it, or else the loop running on the thread of its first
 * use. Before that it belongs to no loop, and may be set up from any thread, except while a loop
 * runs on the thread that made it.
 *
 * <p>Once bound, a call from another thread while that loop runs, or from inside another loop, is
 * refused with an {@link IllegalStateException} before it changes anything: the primitive is left
 * as it was, for the correct call that follows ({@code loop.callSoonThreadsafe(event::set)}). The
 * check on the loop's own thread costs a volatile read and a thread comparison.
 */
final class LoopBinding {
    private volatile Loop loop;
    /** The thread that made it outside any loop: its loop, once one runs there, is the likely owner. */
    private final Thread creator;

    LoopBinding() {
        this.loop = Loop.runningHere();
        this.creator = loop == null ? Thread.currentThread() : null;
    }

    /** Call first thing in every method that reads or changes the primitive's state. */
    void requireLoopThread() {
        Loop bound = loop;
        if (bound == null) {
            bindOrRefuse();
        } else if (Thread.currentThread() != bound.owner()) {
            refuseForeignThread(bound);
        }
    }

    /**
     * Not bound yet: the first use from a running loop binds it. From a thread that runs no loop,
     * the call is still refused while a loop runs on the thread that made the primitive (made on
     * {@code main}, then used by {@code main}'s loop: another thread must not slip in first).
     */
    private void bindOrRefuse() {
        Loop here = Loop.runningHere();
        if (here != null) {
            loop = here;
            return;
        }
        if (Thread.currentThread() != creator) {
            for (Loop running : RunningLoops.all()) {
                if (running.owner() == creator) {
                    running.requireLoopThread(); // throws: it runs, and this is another thread
                }
            }
        }
    }

    private static void refuseForeignThread(Loop bound) {
        bound.requireLoopThread(); // throws while the owning loop runs, naming callSoonThreadsafe
        if (Loop.runningHere() != null) {
            throw new IllegalStateException("this primitive belongs to the loop of thread '" + bound.owner().getName()
                    + "', not to the loop running on thread '" + Thread.currentThread().getName()
                    + "': primitives are not shared between loops; use callSoonThreadsafe to reach the other loop");
        }
        // the owning loop does not run and this thread runs none: nothing can race with the call
    }
}
