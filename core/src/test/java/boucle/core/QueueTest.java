package boucle.core;

import static boucle.core.Boucle.interrupt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueueTest {
    private final List<String> events = new ArrayList<>();

    @Test
    void itemsComeOutInTheOrderTheyWentIn() {
        try (Loop loop = new Loop()) {
            Queue<Integer> queue = Queue.bounded(2);
            loop.spawn(() -> {
                for (int i = 0; i < 10; i++) {
                    queue.put(i);
                }
                queue.close();
            });
            List<Integer> got = new ArrayList<>();
            loop.spawn(() -> {
                try {
                    while (true) {
                        got.add(queue.get());
                    }
                } catch (QueueClosedException end) {
                    events.add("end");
                }
            });
            loop.run();
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), got);
            assertEquals(List.of("end"), events);
        }
    }

    @Test
    void putParksWhileABoundedQueueIsFull() {
        try (Loop loop = new Loop()) {
            Queue<String> queue = Queue.bounded(1);
            Task<Void> producer = loop.spawn(() -> {
                queue.put("a");
                events.add("put a");
                queue.put("b");
                events.add("put b");
            });
            loop.spawn(() -> {
                Boucle.waitAllTasksBlocked(); // the producer has filled the queue and parked
                events.add("producer is " + producer.state() + ", queue " + queue.size());
                events.add("got " + queue.get());
                events.add("got " + queue.get());
            });
            loop.run();
            assertEquals(List.of("put a", "producer is PARKED, queue 1", "got a", "got b", "put b"), events);
        }
    }

    @Test
    void getParksWhileTheQueueIsEmptyAndTheFirstGetterGetsTheFirstItem() {
        try (Loop loop = new Loop()) {
            Queue<String> queue = Queue.unbounded();
            for (String name : List.of("g1", "g2")) {
                loop.spawn(() -> events.add(name + " got " + queue.get()));
            }
            loop.spawn(() -> {
                Boucle.waitAllTasksBlocked(); // every getter is parked
                queue.put("x");
                queue.put("y");
                events.add("newcomer polls " + queue.poll());
            });
            loop.run();
            assertEquals(List.of("newcomer polls null", "g1 got x", "g2 got y"), events);
        }
    }

    @Test
    void anUnboundedQueueNeverParksPut() {
        try (Loop loop = new Loop()) {
            Queue<Integer> queue = Queue.unbounded();
            loop.runTask(() -> {
                for (int i = 0; i < 10_000; i++) {
                    queue.put(i);
                }
            });
            assertEquals(10_000, queue.size());
        }
    }

    @Test
    void closeWakesParkedGettersAndPuttersWithAClearError() {
        try (Loop loop = new Loop()) {
            Queue<String> empty = Queue.bounded(1);
            Queue<String> full = Queue.bounded(1);
            Task<QueueClosedException> getter = loop.spawn(() -> assertThrows(QueueClosedException.class, empty::get));
            Task<QueueClosedException> putter = loop.spawn(() -> {
                full.put("fits");
                return assertThrows(QueueClosedException.class, () -> full.put("parks"));
            });
            loop.runTask(() -> {
                Boucle.waitAllTasksBlocked(); // the getter and the putter are parked
                empty.close();
                full.close();
                QueueClosedException getError = getter.await();
                QueueClosedException putError = putter.await();
                assertTrue(getError.getMessage().contains("closed"), getError.getMessage());
                assertTrue(putError.getMessage().contains("closed"), putError.getMessage());
            });
            assertEquals(1, full.size());
        }
    }

    @Test
    void itemsPutBeforeCloseCanStillBeTakenThenGetFails() {
        try (Loop loop = new Loop()) {
            Queue<String> queue = Queue.unbounded();
            loop.runTask(() -> {
                queue.put("last words");
                queue.close();
                assertThrows(QueueClosedException.class, () -> queue.put("too late"));
                events.add(queue.get());
                assertThrows(QueueClosedException.class, queue::get);
            });
            assertEquals(List.of("last words"), events);
        }
    }

    @Test
    void aGetterCancelledAfterAnItemWasHandedToItStillReturnsTheItem() {
        try (Loop loop = new Loop()) {
            Queue<String> queue = Queue.unbounded();
            Task<Void> getter = loop.spawn(() -> {
                String item = queue.get();
                events.add("got " + item);
                interrupt();
            });
            loop.spawn(() -> {
                Boucle.waitAllTasksBlocked(); // the getter is parked
                queue.put("precious");
                getter.cancel();
            });
            loop.run();
            assertTrue(getter.isCancelled());
            assertEquals(List.of("got precious"), events);
        }
    }

    @Test
    void aGetterCancelledBeforeAnyItemLeavesAndTheItemGoesToTheNext() {
        try (Loop loop = new Loop()) {
            Queue<String> queue = Queue.unbounded();
            Task<String> cancelled = loop.spawn(queue::get);
            Task<String> patient = loop.spawn(queue::get);
            loop.spawn(() -> {
                Boucle.waitAllTasksBlocked();
                cancelled.cancel();
                Boucle.waitAllTasksBlocked(); // the cancelled getter has left
                queue.put("item");
            });
            loop.run();
            assertTrue(cancelled.isCancelled());
            assertEquals("item", patient.result());
        }
    }

    @Test
    void aPutterCancelledWhileParkedDoesNotAddItsItem() {
        try (Loop loop = new Loop()) {
            Queue<String> queue = Queue.bounded(1);
            Task<Void> putter = loop.spawn(() -> {
                queue.put("first");
                queue.put("withdrawn");
            });
            loop.spawn(() -> {
                Boucle.waitAllTasksBlocked();
                putter.cancel();
                Boucle.waitAllTasksBlocked(); // the cancelled putter has left
                events.add(queue.get());
                events.add("left: " + queue.size() + ", putters: " + queue.waitingPutters());
            });
            loop.run();
            assertTrue(putter.isCancelled());
            assertEquals(List.of("first", "left: 0, putters: 0"), events);
        }
    }

    @Test
    void aTimedOutGetLeavesNoGetterBehindAndTheNextItemStaysQueued() {
        try (Loop loop = new Loop()) {
            Queue<String> queue = Queue.unbounded();
            loop.runTask(() -> {
                events.add("got " + Timeouts.withTimeoutOrEmpty(Duration.ofMillis(5), queue::get));
                events.add("getters left: " + queue.waitingGetters());
                queue.put("later");
                events.add("queued: " + queue.size());
            });
            assertEquals(List.of("got Optional.empty", "getters left: 0", "queued: 1"), events);
        }
    }
}
