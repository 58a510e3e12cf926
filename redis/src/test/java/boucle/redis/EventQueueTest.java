package boucle.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Boucle;
import boucle.core.Task;
import boucle.test.BoucleTest;
import java.util.ArrayList;
import java.util.List;

class EventQueueTest {
    private static RedisEvent.Message message(int n) {
        return new RedisEvent.Message("c", "m" + n);
    }

    @BoucleTest
    void aPutterWaitsAtTheBoundAndGoesOnWhenAMessageIsTaken() throws Exception {
        EventQueue queue = new EventQueue(2);
        List<String> seen = new ArrayList<>();
        Task<Void> reader = Boucle.spawn(() -> {
            for (int i = 0; i < 3; i++) {
                queue.putMessage(message(i), "test");
                seen.add("put " + i);
            }
        });
        Boucle.waitAllTasksBlocked();
        assertEquals(List.of("put 0", "put 1"), seen, "the third waits for room");
        assertEquals(message(0), queue.take("test", "closed"));
        reader.await();
        assertEquals(List.of("put 0", "put 1", "put 2"), seen);
        assertEquals(2, queue.size());
    }

    @BoucleTest
    void linkEventsNeverWaitAndKeepTheirPlace() throws Exception {
        EventQueue queue = new EventQueue(1);
        queue.putMessage(message(0), "test");
        queue.putLinkEvent(new RedisEvent.LinkLost(new RedisUnavailableException("gone")));
        queue.putLinkEvent(new RedisEvent.LinkBack());
        queue.forceMessage(message(1)); // held back while the link came back: past the bound
        assertEquals(message(0), queue.poll());
        assertTrue(queue.poll() instanceof RedisEvent.LinkLost);
        assertEquals(new RedisEvent.LinkBack(), queue.poll());
        assertEquals(message(1), queue.poll());
        assertNull(queue.poll());
    }

    @BoucleTest
    void closeWakesTheReceiverWithUnavailableAndTheWaitingPutterDropsItsMessage() throws Exception {
        EventQueue queue = new EventQueue(1);
        queue.putMessage(message(0), "test");
        Task<Boolean> putter = Boucle.spawn(() -> queue.putMessage(message(1), "test"));
        EventQueue empty = new EventQueue(1);
        Task<Throwable> receiver = Boucle.spawn(() -> {
            try {
                empty.take("test", "closed for the test");
                return null;
            } catch (RedisUnavailableException e) {
                return e;
            }
        });
        Boucle.waitAllTasksBlocked();
        queue.close();
        empty.close();
        assertFalse(putter.await());
        assertEquals("closed for the test", receiver.await().getMessage());
        assertThrows(RedisUnavailableException.class, () -> queue.take("test", "closed"));
        assertEquals(0, queue.size());
    }
}
