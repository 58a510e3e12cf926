package boucle.net;

/**
 * How many bytes the next read asks for, adapted to the traffic as Netty's
 * {@code AdaptiveRecvByteBufAllocator} does: a read that fills its buffer means more was waiting,
 * so the next one is four times larger; two reads in a row that fill at most half of it mean the
 * traffic is small, so it halves. Between {@value #MIN} and {@value #MAX} bytes, powers of two.
 *
 * <p>Why: a fixed small read costs a syscall and a wake-up per slice of a large message (a 16 KiB
 * read halves the throughput of 64 KiB messages), a fixed large one wastes memory per connection.
 *
 * <p>The state is one {@code int} that its socket keeps in a field, not an object: the size, a
 * power of two, with "the last read was small" in its lowest bit (free, since every size is at
 * least {@value #MIN}). An idle connection carries no sizer object.
 * <pre>{@code
 * int sizing = ReadSizer.START;
 * int n = read(ReadSizer.nextSize(sizing));
 * sizing = ReadSizer.record(sizing, n);
 * }</pre>
 */
final class ReadSizer {
    static final int MIN = 512;
    static final int MAX = 64 * 1024;
    static final int INITIAL = 2048;
    /** The state of a socket that has not read yet: {@value #INITIAL} bytes, no small read. */
    static final int START = INITIAL;
    private static final int LAST_WAS_SMALL = 1;

    private ReadSizer() {
    }

    /** How many bytes the next read asks for, in state {@code sizing}. */
    static int nextSize(int sizing) {
        return sizing & ~LAST_WAS_SMALL;
    }

    /** The state after a read of {@link #nextSize} bytes returned {@code bytesRead} (more than 0). */
    static int record(int sizing, int bytesRead) {
        int size = nextSize(sizing);
        if (bytesRead >= size) {
            return Math.min(MAX, size * 4);
        }
        if (bytesRead <= size / 2) {
            boolean lastWasSmall = (sizing & LAST_WAS_SMALL) != 0;
            return lastWasSmall && size > MIN ? size / 2 : size | LAST_WAS_SMALL;
        }
        return size;
    }
}
