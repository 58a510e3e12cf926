package boucle.examples;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The nicknames of a room that lives in one process, in the order their owners came: what makes
 * them unique. It lives on one loop, and the other loops reach it with {@code Boucle.callOn}: every
 * claim is a step of that one loop, so two claims of one name, made at once from two loops, cannot
 * both win. Nothing here parks.
 *
 * <p>A nickname is held by a member's id, not by the caller: a release names the member, so a
 * claim whose caller was cancelled on the way (and never heard that it won) is undone by the
 * member's release, and never frees someone else's name.
 *
 * <p>Plain data, no lock: used only on its home loop.
 */
final class LocalRoster implements Roster {
    /** Nickname to owner, in the order they came; renamed in place. */
    private Map<String, String> owners = new LinkedHashMap<>();
    private final Map<String, String> nickOf = new HashMap<>();
    private int guests;

    @Override
    public String claimGuest(String owner) {
        release(owner); // one nickname per member
        String nick;
        do {
            nick = "guest-" + ++guests;
        } while (owners.containsKey(nick));
        owners.put(nick, owner);
        nickOf.put(owner, nick);
        return nick;
    }

    @Override
    public boolean rename(String owner, String wanted) {
        String holder = owners.get(wanted);
        if (holder != null) {
            return holder.equals(owner);
        }
        String old = nickOf.get(owner);
        if (old == null) {
            return false; // released meanwhile: the member left
        }
        Map<String, String> renamed = new LinkedHashMap<>(); // same order, new key: a rename is rare
        owners.forEach((nick, who) -> renamed.put(nick.equals(old) ? wanted : nick, who));
        owners = renamed;
        nickOf.put(owner, wanted);
        return true;
    }

    @Override
    public void release(String owner) {
        String nick = nickOf.remove(owner);
        if (nick != null) {
            owners.remove(nick);
        }
    }

    @Override
    public List<String> list() {
        return List.copyOf(owners.keySet());
    }
}
