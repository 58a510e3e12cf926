package boucle.examples;

import java.util.List;

/**
 * Who keeps a room's nicknames, and the order its members came: one object on one loop (the
 * room's home), reached from the other loops with {@code Boucle.callOn}. A nickname is held by a
 * member's id, not by the caller, so a release always names the member: a claim whose caller was
 * cancelled on the way is undone by that member's release, and never frees someone else's name.
 * <ul>
 *   <li>{@link LocalRoster}: the room lives in this process; nothing parks.</li>
 *   <li>{@link RedisRoom}: the room spans chat servers; a claim is a {@code SET NX} in Redis and
 *       parks for its round trip.</li>
 * </ul>
 * Home-loop only.
 */
interface Roster {
    /** Claims a fresh {@code guest-N} nickname for member {@code owner}, unique in the room. May park. */
    String claimGuest(String owner) throws Exception;

    /**
     * Trades {@code owner}'s nickname for {@code wanted}, keeping its place in {@link #list};
     * {@code false} if someone else holds it. May park.
     *
     * @throws LinkDownException when the room's nicknames cannot be reached now
     */
    boolean rename(String owner, String wanted) throws Exception;

    /** Gives back whatever nickname {@code owner} holds. Never parks. */
    void release(String owner);

    /** Everyone in the room, in the order they came. May park. */
    List<String> list() throws Exception;

    /** The server is shutting down: its members are about to leave all at once. Never parks. */
    default void closing() {
    }
}
