package boucle.net;

import java.util.ArrayList;
import java.util.List;

/**
 * The connections of an {@link AsyncServer} whose task has not ended, oldest first: a doubly linked
 * list through the connections' own {@link Connection#older} and {@link Connection#newer} fields.
 *
 * <p>Why not a {@code LinkedHashSet}: its entry is one more object per connection (40 B), held
 * for as long as the connection lives, idle or not; the two links cost 8 B in the connection.
 * Adding, removing and counting are O(1) as they were; shutdown walks a {@link #snapshot()}.
 *
 * <p>Loop-thread only, but {@link #size()}, which {@code toString} may read from any thread.
 */
final class ConnectionList {
    private Connection oldest;
    private Connection newest;
    private int size;

    /** Adds {@code connection} as the newest; it must not be in a list. */
    void add(Connection connection) {
        connection.older = newest;
        connection.newer = null;
        if (newest == null) {
            oldest = connection;
        } else {
            newest.newer = connection;
        }
        newest = connection;
        size++;
    }

    /** Removes {@code connection}; {@code false} if it was not in this list (removed already). */
    boolean remove(Connection connection) {
        if (connection.older == null && oldest != connection) {
            return false;
        }
        if (connection.older == null) {
            oldest = connection.newer;
        } else {
            connection.older.newer = connection.newer;
        }
        if (connection.newer == null) {
            newest = connection.older;
        } else {
            connection.newer.older = connection.older;
        }
        connection.older = null;
        connection.newer = null;
        size--;
        return true;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The connections now, oldest first: a copy, so the caller may end them while it walks it. */
    List<Connection> snapshot() {
        List<Connection> all = new ArrayList<>(size);
        for (Connection connection = oldest; connection != null; connection = connection.newer) {
            all.add(connection);
        }
        return all;
    }
}
