package boucle.examples;

import boucle.core.Boucle;
import boucle.core.Loop;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link RoomLink} between the parts of one room that live on the loops of one process.
 *
 * <h2>Lines: one batch per turn per loop</h2>
 * {@link #publish} only appends to this part's outgoing list; the first line of a turn schedules
 * one {@link #flush} in the loop's next batch, which posts the whole list, as one immutable batch,
 * to each other loop with {@code callSoonThreadsafe}. A receiving loop delivers the batch to its
 * own members with non-parking writes. So a line costs its sender one list append, each other
 * loop one post per batch (and at most one wake-up per turn), and each member one queued write:
 * per message, the fan-out is O(members) writes plus O(loops) posts per batch, not per line.
 * Posts from one thread to one loop arrive in order, which keeps per-sender order.
 *
 * <h2>Nicknames: one roster, on the first loop</h2>
 * {@link #claimGuest}, {@link #rename} and {@link #who} are {@code Boucle.callOn} the home loop
 * (a direct call on the home loop itself); {@link #release} is a plain post, which never parks.
 *
 * <p>Loop-thread only (this part's loop).
 */
final class LoopsLink implements RoomLink {
    private final Loop home;
    private final Roster roster;
    private final Loop mine;
    private List<LoopsLink> others = List.of();
    private ChatRoom part;
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
        return new LoopsLink(null, new Roster(), null);
    }

    /** Wiring, before any loop uses it. */
    void connect(ChatRoom part, List<LoopsLink> everyone) {
        this.part = part;
        this.others = everyone.stream().filter(link -> link != this).toList();
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
        if (home == null || Loop.current() == home) {
            roster.release(id);
        } else {
            home.callSoonThreadsafe(() -> roster.release(id)); // dropped if home is already shut down: so is the room
        }
    }

    @Override
    public List<String> who() throws Exception {
        return home == null ? roster.list() : Boucle.callOn(home, roster::list);
    }

    @Override
    public void publish(String line) {
        if (others.isEmpty()) {
            return;
        }
        if (outgoing.isEmpty()) {
            Loop.current().callSoon(this::flush); // after every line of this batch
        }
        outgoing.add(line);
    }

    private void flush() {
        List<String> batch = List.copyOf(outgoing); // immutable: it crosses to other loops
        outgoing = new ArrayList<>();
        for (LoopsLink other : others) {
            other.mine.callSoonThreadsafe(() -> other.part.deliver(batch));
        }
    }
}
