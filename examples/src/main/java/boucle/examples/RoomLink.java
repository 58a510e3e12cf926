package boucle.examples;

import java.util.List;

/**
 * What one part of a chat room (the members served by one loop, a {@link ChatRoom}) needs from
 * the rest of the room: the seam between the chat's handler and how far the room reaches. The
 * handler and {@link ChatRoom} never know which implementation they have:
 * <ul>
 *   <li>{@link LoopsLink}: the other loops of this process ({@code chat --loops N}); nicknames are
 *       kept by one {@link Roster} on the first loop, lines cross with {@code callSoonThreadsafe},
 *       one batch per turn per loop.</li>
 *   <li>The same, with a {@link RedisRoom} as its roster ({@code chat --redis}): the other chat
 *       servers, through Redis pub/sub ({@code PUBLISH} of each batch, a {@code SET NX} per
 *       nickname for {@link #claimGuest}/{@link #rename}, a subscriber on the home loop that hands
 *       the other servers' lines to every part of this process).</li>
 * </ul>
 *
 * <h2>Contract</h2>
 * Called from the part's loop only. Lines a part publishes reach every other part in the order it
 * published them (per-sender order); lines from elsewhere arrive through
 * {@link ChatRoom#deliver} on the part's loop. {@link #publish} and {@link #release} never park,
 * so a part can call them anywhere, even in a {@code finally} of a cancelled handler; the claims
 * and {@link #who} may park (a round trip to whoever keeps the nicknames).
 */
interface RoomLink {
    /**
     * Claims a fresh {@code guest-N} nickname for member {@code id} (unique in the whole room, as
     * ids are), unique in the whole room. May park.
     */
    String claimGuest(String id) throws Exception;

    /**
     * Trades member {@code id}'s nickname for {@code wanted}, keeping its place in {@link #who};
     * {@code false} if taken. May park.
     *
     * @throws LinkDownException when the room's nicknames cannot be reached now (its broker is down)
     */
    boolean rename(String id, String wanted) throws Exception;

    /** Gives back whatever nickname member {@code id} holds, even one claimed by a call it gave up on. Never parks. */
    void release(String id);

    /** Everyone in the room, in the order they came. May park. */
    List<String> who() throws Exception;

    /** Sends {@code line} to every other part of the room, after the lines this part published before. Never parks. */
    void publish(String line);

    /**
     * The server is shutting down: every member here is about to leave at once, without a notice
     * each; the rest of the room may tell its own members. Never parks.
     */
    default void closing() {
    }
}
