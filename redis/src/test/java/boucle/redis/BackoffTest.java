package boucle.redis;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void pausesDoubleFromTheMinUpToTheMaxEachInTheUpperHalfOfItsStep() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1_000));
        long[] ceilings = {100, 200, 400, 800, 1_000, 1_000, 1_000};
        for (long ceiling : ceilings) {
            long pause = backoff.next().toMillis();
            assertTrue(pause >= ceiling / 2 && pause <= ceiling, pause + " not in " + ceiling / 2 + ".." + ceiling);
        }
    }

    @Test
    void resetStartsFromTheMinAgain() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(60));
        for (int i = 0; i < 10; i++) {
            backoff.next();
        }
        backoff.reset();
        assertTrue(backoff.next().toMillis() <= 100);
    }
}
