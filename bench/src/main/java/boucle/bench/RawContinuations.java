package boucle.bench;

import jdk.internal.vm.Continuation;
import jdk.internal.vm.ContinuationScope;

/**
 * The baseline of the microbenchmarks: bare JDK continuations, with nothing around them. The only
 * class of this module that names {@code jdk.internal.vm}; Boucle's own tasks are measured
 * through its public API only.
 */
final class RawContinuations {
    private static final ContinuationScope SCOPE = new ContinuationScope("bench");

    private final Continuation[] all;

    /** {@code count} continuations that each yield forever, never ending. */
    RawContinuations(int count) {
        all = new Continuation[count];
        for (int i = 0; i < count; i++) {
            all[i] = new Continuation(SCOPE, RawContinuations::yieldForever);
        }
    }

    /** Resumes every continuation once per turn, in order: one yield + resume round trip each. */
    void resumeRoundRobin(int turns) {
        Continuation[] continuations = all;
        for (int turn = 0; turn < turns; turn++) {
            for (Continuation continuation : continuations) {
                continuation.run();
            }
        }
    }

    /** Creates a continuation for {@code body} and runs it to its end: the floor of a task's life. */
    static boolean runToEnd(Runnable body) {
        Continuation continuation = new Continuation(SCOPE, body);
        continuation.run();
        return continuation.isDone();
    }

    private static void yieldForever() {
        while (true) {
            Continuation.yield(SCOPE);
        }
    }
}
