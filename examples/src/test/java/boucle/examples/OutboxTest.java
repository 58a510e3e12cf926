package boucle.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.core.Task;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bounded queue of what a chat server tells the others ({@link Outbox}). */
class OutboxTest {

    @Test
    void takeGivesTheOldestEventsInOrderAsManyAsFitTheBatch() {
        Outbox outbox = new Outbox(1_000);
        List<List<String>> batches = Boucle.runTask(() -> {
            for (int i = 0; i < 5; i++) {
                outbox.offer("L line " + i); // 8 bytes and a separator each
            }
            return List.of(outbox.take(20), outbox.take(20), outbox.take(1));
        });

        assertEquals(List.of(List.of("L line 0", "L line 1"), List.of("L line 2", "L line 3"), List.of("L line 4")), batches);
        assertEquals(0, outbox.dropped());
    }

    @Test
    void takeParksUntilSomethingIsOffered() {
        Outbox outbox = new Outbox(1_000);
        List<String> events = new ArrayList<>();
        Boucle.runTask(() -> {
            Task<List<String>> taker = Loop.current().spawn(() -> {
                events.add("taking");
                List<String> batch = outbox.take(100);
                events.add("took " + batch);
                return batch;
            });
            Boucle.interrupt();
            events.add("offering");
            outbox.offer("Q");
            taker.await();
        });

        assertEquals(List.of("taking", "offering", "took [Q]"), events);
    }

    @Test
    void aFullOutboxDropsTheNewEventAndKeepsTheOnesQueued() {
        Outbox outbox = new Outbox(20);
        assertTrue(outbox.offer("L first"));
        assertTrue(outbox.offer("L second"));
        assertFalse(outbox.offer("L third"), "8 + 9 + 8 bytes is more than 20");

        assertEquals(1, outbox.dropped());
        assertEquals(List.of("L first", "L second"), Boucle.runTask(() -> outbox.take(100)));
        assertTrue(outbox.offer("L third"), "room again once taken");
    }

    @Test
    void aClosedOutboxDropsWhatWaitsAndWhatComesUntilOpenedAgain() {
        Outbox outbox = new Outbox(1_000);
        outbox.offer("L before");
        outbox.take(0); // nothing parks: there is one
        outbox.offer("L waiting");
        outbox.lost(1); // the batch taken above was not delivered

        outbox.close();
        assertFalse(outbox.offer("L while down"));
        outbox.open();
        outbox.offer("H");

        assertEquals(3, outbox.dropped());
        assertEquals(List.of("H"), Boucle.runTask(() -> outbox.take(100)));
    }
}
