package boucle.net;

import java.io.Serial;
import java.nio.charset.CharacterCodingException;

/**
 * {@link AsyncSocket#readLine(int)} read a line that is not valid UTF-8. The line is consumed, so
 * the next {@code readLine} returns the line after it: a caller may answer with an error and go on.
 */
public final class MalformedLineException extends CharacterCodingException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int lineLength;

    public MalformedLineException(int lineLength) {
        this.lineLength = lineLength;
    }

    @Override
    public String getMessage() {
        return "a line of " + lineLength + " bytes is not valid UTF-8";
    }
}
