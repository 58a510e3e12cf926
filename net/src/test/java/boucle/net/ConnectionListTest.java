package boucle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionListTest {
    /** Connections with no server or socket: the list only uses their links. */
    private static Connection connection() {
        return new Connection(null, null, Duration.ZERO);
    }

    @Test
    void keepsConnectionsOldestFirst() {
        ConnectionList list = new ConnectionList();
        Connection a = connection();
        Connection b = connection();
        Connection c = connection();
        list.add(a);
        list.add(b);
        list.add(c);
        assertEquals(List.of(a, b, c), list.snapshot());
        assertEquals(3, list.size());
    }

    @Test
    void removesFromTheMiddleTheEndsAndOnlyOnce() {
        ConnectionList list = new ConnectionList();
        Connection a = connection();
        Connection b = connection();
        Connection c = connection();
        Connection d = connection();
        for (Connection each : List.of(a, b, c, d)) {
            list.add(each);
        }
        assertTrue(list.remove(b));
        assertFalse(list.remove(b), "a connection removed already is not removed twice");
        assertTrue(list.remove(a));
        assertTrue(list.remove(d));
        assertEquals(List.of(c), list.snapshot());
        assertTrue(list.remove(c));
        assertTrue(list.isEmpty());
        assertEquals(List.of(), list.snapshot());
        assertFalse(list.remove(c));
    }

    @Test
    void aConnectionNeverAddedIsNotRemoved() {
        ConnectionList list = new ConnectionList();
        Connection listed = connection();
        list.add(listed);
        assertFalse(list.remove(connection()));
        assertEquals(List.of(listed), list.snapshot());
    }

    @Test
    void aRemovedConnectionCanBeAddedAgainAtTheEnd() {
        ConnectionList list = new ConnectionList();
        Connection a = connection();
        Connection b = connection();
        list.add(a);
        list.add(b);
        list.remove(a);
        list.add(a);
        assertEquals(List.of(b, a), list.snapshot());
    }
}
