package boucle.examples;

import boucle.redis.RedisClient;
import boucle.redis.RedisException;
import boucle.redis.RedisValue;
import boucle.redis.SetArgs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A room's nicknames and join order, kept in Redis so that they hold across chat servers:
 * <ul>
 *   <li>{@code PREFIX:nick:NAME} holds the id of the member who has NAME, claimed with
 *       {@code SET NX PX ttl}: two servers claiming one name at once cannot both win. The holder's
 *       server {@linkplain #renew renews} it every heartbeat, so the names of a server that died
 *       are free again within the time to live.</li>
 *   <li>{@code PREFIX:order}: an {@code INCR} counter, each member's place in the join order (and
 *       the N of {@code guest-N}).</li>
 * </ul>
 * A release deletes a name only if the member given still holds it (a compare-and-delete script),
 * so a late one never frees someone else's. Redis restarted empty? The next renewal claims every
 * name again and raises the counter above every place already given.
 *
 * <p>Home-loop only, as its {@link RedisClient}.
 */
final class RedisNicknames {
    /** Renews each name its member still holds, claims again those nobody holds, raises the counter to ARGV[2]; returns the 1-based indexes of names held by others. */
    private static final String RENEW = """
            local order = tonumber(redis.call('GET', KEYS[1]) or '0')
            if order < tonumber(ARGV[2]) then redis.call('SET', KEYS[1], ARGV[2]) end
            local lost = {}
            for i = 2, #KEYS do
              local holder = redis.call('GET', KEYS[i])
              if holder == ARGV[i + 1] then redis.call('PEXPIRE', KEYS[i], ARGV[1])
              elseif not holder then redis.call('SET', KEYS[i], ARGV[i + 1], 'PX', ARGV[1])
              else table.insert(lost, i - 1) end
            end
            return lost
            """;
    /** Deletes a name if the member given still holds it. */
    private static final String UNCLAIM = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0
            """;

    private final RedisClient redis;
    private final String prefix;
    private final long ttlMillis;

    RedisNicknames(RedisClient redis, String prefix, long ttlMillis) {
        this.redis = redis;
        this.prefix = prefix;
        this.ttlMillis = ttlMillis;
    }

    /** The next place in the room's join order. Parks. */
    long nextOrder() throws RedisException {
        return redis.command("INCR", prefix + "order").asLong();
    }

    /** Claims {@code nick} for member {@code owner}: whether it was free (or already its own). Parks. */
    boolean claim(String nick, String owner) throws RedisException {
        return redis.set(key(nick), owner, SetArgs.nx().px(ttlMillis)) || owner.equals(redis.get(key(nick)));
    }

    /** Frees {@code nick} if {@code owner} still holds it, without waiting: it expires anyway if this fails. Never parks. */
    void unclaim(String nick, String owner) {
        try {
            redis.send("EVAL", UNCLAIM, "1", key(nick), owner);
        } catch (RedisException unreachable) {
            // down or overloaded: the name expires within the time to live
        }
    }

    /**
     * Renews the names of {@code held} (nickname to holder), claims again those nobody holds (Redis
     * restarted), raises the join-order counter to {@code highestOrder}; returns the names that
     * another member holds now (both took it while Redis was down). Parks.
     */
    List<String> renew(Map<String, String> held, long highestOrder) throws RedisException {
        List<String> call = new ArrayList<>(List.of("EVAL", RENEW, Integer.toString(held.size() + 1), prefix + "order"));
        List<String> nicks = new ArrayList<>(held.keySet());
        nicks.forEach(nick -> call.add(key(nick)));
        call.add(Long.toString(ttlMillis));
        call.add(Long.toString(highestOrder));
        nicks.forEach(nick -> call.add(held.get(nick)));
        RedisValue lost = redis.command(call);
        if (lost.isError()) {
            throw ((RedisValue.Error) lost).toException();
        }
        return lost.asList().stream().map(index -> nicks.get((int) index.asLong() - 1)).toList();
    }

    private String key(String nick) {
        return prefix + "nick:" + nick;
    }
}
