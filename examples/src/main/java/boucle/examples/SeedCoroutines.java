package boucle.examples;

import static boucle.core.Boucle.interrupt;
import static boucle.core.Boucle.sleep;

import boucle.core.Waiter;
import java.io.PrintStream;
import java.time.Duration;

/** The seed's helper coroutines, in Java: each prints to {@code out} and gives the hand back. */
final class SeedCoroutines {
    private final PrintStream out;

    SeedCoroutines(PrintStream out) {
        this.out = out;
    }

    /** Prints {@code Hello}, gives the hand back once, prints {@code World}. */
    void complexWork() {
        out.println("Hello");
        interrupt();
        out.println("World");
    }

    /** Prints {@code start}, waits for the waiter, prints {@code finished}. */
    void waitJob(Waiter waiter) {
        out.println("start");
        waiter.await();
        out.println("finished");
    }

    /** Prints 0 to n-1, giving the hand back after each, then sets the waiter. */
    void countUpTo(Waiter waiter, int n) {
        for (int i = 0; i < n; i++) {
            out.println(i);
            interrupt();
        }
        waiter.set();
    }

    /** Prints each message, sleeping {@code sleepTime} after each one. */
    void printMessages(Duration sleepTime, String... messages) {
        for (String message : messages) {
            out.println(message);
            sleep(sleepTime);
        }
    }
}
