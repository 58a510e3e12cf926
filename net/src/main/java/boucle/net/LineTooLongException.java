package boucle.net;

import java.io.IOException;
import java.io.Serial;

/**
 * {@link AsyncSocket#readLine(int)} met a line longer than its limit. The bytes of that line
 * are dropped, including those still to come up to its end of line, so the next
 * {@code readLine} returns the line after it: a caller may answer with an error and go on.
 */
public final class LineTooLongException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    public LineTooLongException(int maxLength) {
        super("line longer than " + maxLength + " bytes");
    }
}
