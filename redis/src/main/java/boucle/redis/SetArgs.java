package boucle.redis;

import java.util.List;

/**
 * The options of {@code SET}: a condition ({@code NX}: only if absent, {@code XX}: only if
 * present) and an expiry ({@code PX} milliseconds, {@code EX} seconds). Immutable; any thread.
 *
 * <pre>{@code
 * boolean claimed = redis.set("nick:alice", serverId, SetArgs.nx().px(30_000));
 * }</pre>
 */
public final class SetArgs {
    private static final SetArgs NONE = new SetArgs(null, null, 0);

    private final String condition;
    private final String expiryUnit;
    private final long expiry;

    private SetArgs(String condition, String expiryUnit, long expiry) {
        this.condition = condition;
        this.expiryUnit = expiryUnit;
        this.expiry = expiry;
    }

    /** No option: a plain {@code SET}. */
    public static SetArgs none() {
        return NONE;
    }

    /** Only if the key does not exist ({@code NX}). */
    public static SetArgs nx() {
        return new SetArgs("NX", null, 0);
    }

    /** Only if the key exists ({@code XX}). */
    public static SetArgs xx() {
        return new SetArgs("XX", null, 0);
    }

    /** Unconditional, expiring after {@code millis} ({@code PX}). */
    public static SetArgs expiringAfter(long millis) {
        return NONE.px(millis);
    }

    /** This condition, and an expiry in milliseconds ({@code PX}). */
    public SetArgs px(long millis) {
        return new SetArgs(condition, "PX", positive(millis));
    }

    /** This condition, and an expiry in seconds ({@code EX}). */
    public SetArgs ex(long seconds) {
        return new SetArgs(condition, "EX", positive(seconds));
    }

    private static long positive(long value) {
        if (value < 1) {
            throw new IllegalArgumentException("an expiry must be positive, not " + value);
        }
        return value;
    }

    /** Whether {@code SET} may be refused (a null reply) under these options. */
    boolean conditional() {
        return condition != null;
    }

    void appendTo(List<Object> command) {
        if (expiryUnit != null) {
            command.add(expiryUnit);
            command.add(Long.toString(expiry));
        }
        if (condition != null) {
            command.add(condition);
        }
    }

    @Override
    public String toString() {
        return "SetArgs[" + (condition == null ? "" : condition) + (expiryUnit == null ? "" : " " + expiryUnit + " " + expiry)
                + "]";
    }
}
