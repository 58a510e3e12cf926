package boucle.core;

import java.util.Arrays;

/**
 * A binary min-heap of timers ordered by (deadline, sequence), where each timer knows its index so
 * that cancelling one removes it in O(log n) instead of leaving a stale entry behind.
 */
final class TimerHeap {
    private Handle[] heap = new Handle[64];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    Handle first() {
        return size == 0 ? null : heap[0];
    }

    void add(Handle timer) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = timer;
        timer.heapIndex = size;
        size++;
        siftUp(timer.heapIndex);
    }

    /**
     * Runs, earliest first, the timers due at {@code now} that were set at or before sequence
     * {@code newestAtStart}: a timer that a due timer sets waits for the next turn, even when it is
     * due already, so a timer that re-arms itself at zero delay cannot hold the loop.
     */
    void runDue(long now, long newestAtStart, StepWatch watch) {
        for (Handle next; (next = first()) != null && next.deadline - now <= 0 && next.sequence <= newestAtStart; ) {
            remove(next);
            watch.starting(next);
            next.run();
        }
    }

    Handle removeFirst() {
        Handle first = heap[0];
        remove(first);
        return first;
    }

    void remove(Handle timer) {
        int index = timer.heapIndex;
        timer.heapIndex = -1;
        size--;
        Handle last = heap[size];
        heap[size] = null;
        if (index == size) {
            return;
        }
        heap[index] = last;
        last.heapIndex = index;
        siftDown(index);
        siftUp(last.heapIndex);
    }

    private void siftUp(int index) {
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            if (!before(heap[index], heap[parent])) {
                return;
            }
            swap(index, parent);
            index = parent;
        }
    }

    private void siftDown(int index) {
        while (true) {
            int smallest = index;
            int left = 2 * index + 1;
            int right = left + 1;
            if (left < size && before(heap[left], heap[smallest])) {
                smallest = left;
            }
            if (right < size && before(heap[right], heap[smallest])) {
                smallest = right;
            }
            if (smallest == index) {
                return;
            }
            swap(index, smallest);
            index = smallest;
        }
    }

    private static boolean before(Handle a, Handle b) {
        long byDeadline = a.deadline - b.deadline; // nanoTime values are compared by difference
        return byDeadline < 0 || (byDeadline == 0 && a.sequence < b.sequence);
    }

    private void swap(int i, int j) {
        Handle a = heap[i];
        Handle b = heap[j];
        heap[i] = b;
        heap[j] = a;
        a.heapIndex = j;
        b.heapIndex = i;
    }
}
