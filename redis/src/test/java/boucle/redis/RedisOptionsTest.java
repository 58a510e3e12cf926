package boucle.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedisOptionsTest {
    @Test
    void eachSetterChangesItsOwnValueOnly() {
        RedisOptions defaults = RedisOptions.defaults();
        RedisOptions changed = defaults.commandTimeout(Duration.ofMillis(250)).maxPendingCommands(7)
                .backoff(Duration.ofMillis(10), Duration.ofSeconds(1)).pingInterval(Duration.ofMillis(500));
        assertEquals(Duration.ofMillis(250), changed.commandTimeout());
        assertEquals(7, changed.maxPendingCommands());
        assertEquals(Duration.ofMillis(10), changed.backoffMin());
        assertEquals(Duration.ofSeconds(1), changed.backoffMax());
        assertEquals(Duration.ofMillis(500), changed.pingInterval());
        assertEquals(defaults.connectTimeout(), changed.connectTimeout());
        assertEquals(defaults.maxBulkBytes(), changed.maxBulkBytes());
        assertEquals(defaults.maxQueuedEvents(), changed.maxQueuedEvents());
        assertEquals(Duration.ofSeconds(5), defaults.commandTimeout(), "the defaults are as documented");
    }

    @Test
    void nonsenseIsRefusedNamingTheOption() {
        RedisOptions defaults = RedisOptions.defaults();
        assertRefused(() -> defaults.commandTimeout(Duration.ZERO), "commandTimeout");
        assertRefused(() -> defaults.connectTimeout(Duration.ofSeconds(-1)), "connectTimeout");
        assertRefused(() -> defaults.backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)), "shorter than its min");
        assertRefused(() -> defaults.maxPendingCommands(0), "maxPendingCommands");
        assertRefused(() -> defaults.maxQueuedEvents(0), "maxQueuedEvents");
        assertRefused(() -> defaults.maxBulkBytes(0), "maxBulkBytes");
        assertRefused(() -> defaults.pingInterval(Duration.ZERO), "pingInterval");
    }

    private static void assertRefused(Runnable change, String naming) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, change::run);
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(naming), e.getMessage());
    }
}
