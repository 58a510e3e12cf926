package boucle.net;

/**
 * How many bytes the next read asks for, adapted to the traffic as Netty's
 * {@code AdaptiveRecvByteBufAllocator} does: a read that fills its buffer means more was waiting,
 * so the next one is four times larger; two reads in a row that fill at most half of it mean the
 * traffic is small, so it halves. Between {@value #MIN} and {@value #MAX} bytes, powers of two.
 *
 * <p>Why: a fixed small read costs a syscall and a wake-up per slice of a large message (a 16 KiB
 * read halves the throughput of 64 KiB messages), a fixed large one wastes memory per connection.
 */
final class ReadSizer {
    static final int MIN = 512;
    static final int MAX = 64 * 1024;
    static final int INITIAL = 2048;

    private int size = INITIAL;
    private boolean lastWasSmall;

    int nextSize() {
        return size;
    }

    /** Records that a read of {@link #nextSize()} bytes returned {@code bytesRead} (more than 0). */
    void record(int bytesRead) {
        if (bytesRead >= size) {
            size = Math.min(MAX, size * 4);
            lastWasSmall = false;
        } else if (bytesRead <= size / 2) {
            if (lastWasSmall && size > MIN) {
                size /= 2;
                lastWasSmall = false;
            } else {
                lastWasSmall = true;
            }
        } else {
            lastWasSmall = false;
        }
    }
}
