package boucle.net;

import java.io.EOFException;
import java.io.Serial;

/**
 * {@link AsyncSocket#readLine(int)} met the end of the stream in the middle of a line: the peer
 * sent bytes after its last line end, then closed or shut its output down. Most likely it died
 * while sending (a client that vanished while typing {@code SET balance 100} sent
 * {@code SET balance 10}), so the bytes are not a line to act on; they are consumed, and the next
 * {@code readLine} returns {@code null}. Like asyncio's {@code IncompleteReadError}, it carries
 * what came, for a protocol whose last line may go unterminated:
 *
 * <pre>{@code
 * try {
 *     line = connection.readLine(1000);
 * } catch (IncompleteLineException cut) {
 *     line = null;   // the peer left mid-line; cut.partialLine() holds the bytes if they matter
 * }
 * }</pre>
 */
public final class IncompleteLineException extends EOFException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final byte[] partialLine;

    public IncompleteLineException(byte[] partialLine) {
        super("the stream ended in the middle of a line, after " + partialLine.length + " bytes with no line end");
        this.partialLine = partialLine.clone();
    }

    /** The bytes after the last line end, as they came (not decoded; a copy). */
    public byte[] partialLine() {
        return partialLine.clone();
    }

    /** How many bytes came after the last line end. */
    public int length() {
        return partialLine.length;
    }
}
