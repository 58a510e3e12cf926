package boucle.net;

import boucle.core.Loop;

/**
 * The thread rule of this package in one place: a method that is not safe from any thread
 * refuses, before it changes anything, a call from a thread other than its loop's while that loop
 * runs. When the loop does not run, whoever holds the object may use it (a socket or server set
 * up before the loop starts, or cleaned up after it ended).
 */
final class LoopThread {
    private LoopThread() {
    }

    /** Fails when {@code loop} runs on another thread than the caller's. */
    static void require(Loop loop, Object what) {
        if (loop.runsOnAnotherThread()) {
            throw new IllegalStateException(what + " belongs to a loop that runs on another thread; from thread '"
                    + Thread.currentThread().getName() + "' hand the call to it with loop.callSoonThreadsafe(...)");
        }
    }
}
