package boucle.examples;

import boucle.core.Boucle;
import boucle.core.Loop;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A {@link RoomLink} between the parts of one room that live on the loops of one process, and,
 * when the room goes further ({@code chat --redis}), from them to what lies beyond, through the
 * home loop.
 *
 * <h2>Lines: one batch per turn per loop</h2>
 * {@link #publish} only appends to this part's outgoing list; the first line of a turn schedules
 * one {@link #flush} in the loop's next batch, which posts the whole list, as one immutable batch,
 * to each other loop with {@code callSoonThreadsafe}. A receiving loop delivers the batch to its
 * own members with non-parking writes. So a line costs its sender one list append, each other
 * loop one post per batch (and at most one wake-up per turn), and each member one queued write:
 * per message, the fan-out is O(members) writes plus O(loops) posts per batch, not per line.
 * Posts from one thread to one loop arrive in order, which keeps per-sender order. With a room
 * beyond this process, the batch is also posted to the home loop, which sends it on (one
 * {@code PUBLISH} per batch, see {@link RedisRoom}); what comes back from beyond is handed to every
 * part the same way ({@link #everywhere}).
 *
 * <h2>Nicknames: one roster, on the first loop</h2>
 * {@link #claimGuest}, {@link #rename} and {@link #who} are {@code Boucle.callOn} the home loop
 * (a direct call on the home loop itself); {@link #release} is a plain post, which never parks.
 * The roster is a {@link LocalRoster} for a room in this process, a {@link RedisRoom} for one
 * across servers.
 *
 * <p>Loop-thread only (this part's loop).
 */
final class LoopsLink implements RoomLink {
    private final Loop home;
    private final Roster roster;
    private final Loop mine;
    private List<LoopsLink> others = List.of();
    private ChatRoom part;
    /** Takes this part's lines on the home loop, to send them beyond this process; {@code null} if the room ends here. */
    private Consumer<List<String>> beyond;
    private List<String> outgoing = new ArrayList<>();

    /**
     * @param home the loop of the roster; {@code null} when the room has one part only, whose loop
     *     is then the home, whatever it is
     */
    LoopsLink(Loop home, Roster roster, Loop mine) {
        this.home = home;
        this.roster = roster;
        this.mine = mine;
    }

    /** The link of a room that has one part only: the roster is that part's, nothing is published. */
    static LoopsLink alone() {
        return new LoopsLink(null, new LocalRoster(), null);
    }

    /** Wiring, before any loop uses it. */
    void connect(ChatRoom part, List<LoopsLink> everyone) {
        connect(part, everyone, null);
    }

    /** Wiring, before any loop uses it; {@code beyond} runs on the home loop ({@code null}: the room ends at this process). */
    void connect(ChatRoom part, List<LoopsLink> everyone, Consumer<List<String>> beyond) {
        this.part = part;
        this.others = everyone.stream().filter(link -> link != this).toList();
        this.beyond = beyond;
    }

    /**
     * What hands a batch of lines from beyond this process to every part of {@code links}: on the
     * caller's loop directly, to the others with one post each. Runs on any of the links' loops.
     */
    static Consumer<List<String>> everywhere(List<LoopsLink> links) {
        return batch -> {
            for (LoopsLink link : links) {
                link.post(batch);
            }
        };
    }

    @Override
    public String claimGuest(String id) throws Exception {
        return home == null ? roster.claimGuest(id) : Boucle.callOn(home, () -> roster.claimGuest(id));
    }

    @Override
    public boolean rename(String id, String wanted) throws Exception {
        return home == null ? roster.rename(id, wanted) : Boucle.callOn(home, () -> roster.rename(id, wanted));
    }

    /** A post after any claim this part made for {@code id}: the home loop runs them in that order. */
    @Override
    public void release(String id) {
        atHome(() -> roster.release(id));
    }

    @Override
    public List<String> who() throws Exception {
        return home == null ? roster.list() : Boucle.callOn(home, roster::list);
    }

    @Override
    public void publish(String line) {
        if (others.isEmpty() && beyond == null) {
            return;
        }
        if (outgoing.isEmpty()) {
            Loop.current().callSoon(this::flush); // after every line of this batch
        }
        outgoing.add(line);
    }

    @Override
    public void closing() {
        atHome(roster::closing);
    }

    private void flush() {
        List<String> batch = List.copyOf(outgoing); // immutable: it crosses to other loops
        outgoing = new ArrayList<>();
        for (LoopsLink other : others) {
            other.post(batch);
        }
        if (beyond != null) {
            Consumer<List<String>> sender = beyond;
            atHome(() -> sender.accept(batch));
        }
    }

    /** Delivers {@code batch} to this part's members: now if the caller runs on its loop, else in a post there. */
    private void post(List<String> batch) {
        if (Loop.current() == mine) {
            part.deliver(batch);
        } else {
            mine.callSoonThreadsafe(() -> part.deliver(batch)); // dropped if that loop is shut down: so is its part
        }
    }

    /** Runs {@code action} on the home loop: now if this is it, else in a post, after this part's earlier posts. */
    private void atHome(Runnable action) {
        if (home == null || Loop.current() == home) {
            action.run();
        } else {
            home.callSoonThreadsafe(action); // dropped if home is already shut down: so is the room
        }
    }
}
