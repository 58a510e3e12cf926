package boucle.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One RESP2 reply: a simple string, a bulk string (bytes), an integer, an array of replies, a null
 * (absent bulk or array), or an error. {@link RedisClient#command} returns it for any command.
 *
 * <pre>{@code
 * switch (redis.command("HGET", "h", "f")) {
 *     case RedisValue.Bulk bulk -> use(bulk.asString());
 *     case RedisValue.Null absent -> missing();
 *     case RedisValue.Error error -> throw error.toException();
 *     default -> throw new IllegalStateException();
 * }
 * }</pre>
 *
 * Strings are UTF-8: {@link #asString()} decodes a bulk string as UTF-8 (malformed bytes become
 * U+FFFD); binary values keep their bytes in {@link Bulk#bytes()}. Immutable; any thread.
 */
public sealed interface RedisValue {
    /** The reply as text: a simple or bulk string (UTF-8), an integer's digits, an error's message; {@code null} for a null. */
    String asString();

    /** The integer reply; anything else is an {@link IllegalStateException} naming it. */
    default long asLong() {
        throw new IllegalStateException("not an integer reply: " + this);
    }

    /** The bytes of a bulk or simple string; {@code null} for a null; anything else is refused. */
    default byte[] asBytes() {
        throw new IllegalStateException("not a string reply: " + this);
    }

    /** The items of an array reply; anything else is refused. */
    default List<RedisValue> asList() {
        throw new IllegalStateException("not an array reply: " + this);
    }

    default boolean isNull() {
        return false;
    }

    default boolean isError() {
        return false;
    }

    /** A simple string ({@code +OK}). */
    record Simple(String text) implements RedisValue {
        public Simple {
            Objects.requireNonNull(text, "text");
        }

        @Override
        public String asString() {
            return text;
        }

        @Override
        public byte[] asBytes() {
            return text.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** A bulk string: binary-safe bytes. The array is not copied: do not change it. */
    record Bulk(byte[] bytes) implements RedisValue {
        public Bulk {
            Objects.requireNonNull(bytes, "bytes");
        }

        @Override
        public String asString() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public byte[] asBytes() {
            return bytes;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Bulk bulk && Arrays.equals(bytes, bulk.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return bytes.length <= 200 ? "Bulk[" + asString() + "]" : "Bulk[" + bytes.length + " bytes]";
        }
    }

    /** An integer ({@code :42}). */
    record Int(long value) implements RedisValue {
        @Override
        public String asString() {
            return Long.toString(value);
        }

        @Override
        public long asLong() {
            return value;
        }
    }

    /** An array of replies (a multi-bulk). */
    record Array(List<RedisValue> items) implements RedisValue {
        public Array {
            items = List.copyOf(items);
        }

        @Override
        public String asString() {
            return items.toString();
        }

        @Override
        public List<RedisValue> asList() {
            return items;
        }
    }

    /** A null bulk string or null array: an absent key, a refused {@code SET NX}. */
    record Null() implements RedisValue {
        /** The one instance the decoder returns. */
        public static final Null INSTANCE = new Null();

        @Override
        public String asString() {
            return null;
        }

        @Override
        public byte[] asBytes() {
            return null;
        }

        @Override
        public boolean isNull() {
            return true;
        }
    }

    /** An error reply ({@code -WRONGTYPE Operation against a key...}): the command failed, the connection is fine. */
    record Error(String message) implements RedisValue {
        public Error {
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String asString() {
            return message;
        }

        @Override
        public boolean isError() {
            return true;
        }

        /** The error's first word ({@code ERR}, {@code WRONGTYPE}, {@code NOAUTH}...). */
        public String code() {
            int space = message.indexOf(' ');
            return space < 0 ? message : message.substring(0, space);
        }

        /** This error as an exception to throw. */
        public RedisErrorReplyException toException() {
            return new RedisErrorReplyException(message);
        }
    }
}
