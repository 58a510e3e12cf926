package boucle.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimerHeapTest {
    private long sequence;

    private Handle timer(long deadline) {
        return new Handle(null, () -> { }, deadline, ++sequence);
    }

    @Test
    void timersComeOutByDeadlineThenBySequence() {
        TimerHeap heap = new TimerHeap();
        Handle late = timer(30);
        Handle firstAt10 = timer(10);
        Handle secondAt10 = timer(10);
        Handle early = timer(5);
        for (Handle h : List.of(late, firstAt10, secondAt10, early)) {
            heap.add(h);
        }
        assertEquals(List.of(early, firstAt10, secondAt10, late), drain(heap));
    }

    @Test
    void removingATimerFromTheMiddleKeepsTheOrder() {
        TimerHeap heap = new TimerHeap();
        Random random = new Random(42);
        List<Handle> kept = new ArrayList<>();
        List<Handle> removed = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Handle h = timer(random.nextInt(100));
            heap.add(h);
            (i % 3 == 0 ? removed : kept).add(h);
        }
        removed.forEach(heap::remove);
        assertEquals(kept.size(), heap.size());
        List<Handle> drained = drain(heap);
        kept.sort((a, b) -> a.deadline != b.deadline ? Long.compare(a.deadline, b.deadline)
                : Long.compare(a.sequence, b.sequence));
        assertEquals(kept, drained);
        assertNull(heap.first());
    }

    @Test
    void deadlinesCompareAcrossNanoTimeOverflow() {
        TimerHeap heap = new TimerHeap();
        Handle beforeWrap = timer(Long.MAX_VALUE - 5);
        Handle afterWrap = timer(Long.MAX_VALUE + 10); // wraps to a negative value, but is later
        heap.add(afterWrap);
        heap.add(beforeWrap);
        assertEquals(List.of(beforeWrap, afterWrap), drain(heap));
    }

    private static List<Handle> drain(TimerHeap heap) {
        List<Handle> out = new ArrayList<>();
        while (!heap.isEmpty()) {
            out.add(heap.removeFirst());
        }
        return out;
    }
}
