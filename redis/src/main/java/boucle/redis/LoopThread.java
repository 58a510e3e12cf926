package boucle.redis;

import boucle.core.Loop;

/**
 * The thread rule of this package, as {@code boucle.net}'s: a method that is not safe from any
 * thread refuses, before it changes anything, a call from a thread other than its loop's while
 * that loop runs.
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
