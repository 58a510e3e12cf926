package boucle.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RedisUriTest {
    @Test
    void hostPortAndDatabaseAreRead() {
        assertEquals(new RedisUri("127.0.0.1", 6380, 2, null, null), RedisUri.parse("redis://127.0.0.1:6380/2"));
        assertEquals(new RedisUri("redis.example", 6379, 0, null, null), RedisUri.parse("redis://redis.example"));
        assertEquals(new RedisUri("localhost", 7000, 0, null, null), RedisUri.parse(" redis://localhost:7000/ "));
        assertEquals(new RedisUri("::1", 6379, 0, null, null), RedisUri.parse("redis://[::1]:6379"));
    }

    @Test
    void credentialsAreReadAndNeverShown() {
        RedisUri uri = RedisUri.parse("redis://alice:p%40ss@127.0.0.1:6379/1");
        assertEquals("alice", uri.user());
        assertEquals("p@ss", uri.password());
        assertEquals("redis://alice:***@127.0.0.1:6379/1", uri.toString());
        RedisUri passwordOnly = RedisUri.parse("redis://:secret@host");
        assertEquals(null, passwordOnly.user());
        assertEquals("secret", passwordOnly.password());
        assertFalse(passwordOnly.toString().contains("secret"));
    }

    @Test
    void junkIsRefusedSayingWhy() {
        assertRefused("127.0.0.1:6379", "expected redis://");
        assertRefused("http://127.0.0.1:6379", "the scheme must be redis://");
        assertRefused("rediss://127.0.0.1:6379", "TLS");
        assertRefused("redis://127.0.0.1:6379/abc", "database number");
        assertRefused("redis://127.0.0.1:99999", "port");
        assertRefused("redis://127.0.0.1:6379?timeout=5", "query");
        assertRefused("redis:///0", "no host");
        assertRefused("redis://user@host", "user:password");
        assertRefused("redis://:hunter2@ho st", "not a Redis URI");
    }

    @Test
    void aRefusalNeverShowsThePassword() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisUri.parse("redis://:hunter2@127.0.0.1:6379/x"));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    private static void assertRefused(String text, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RedisUri.parse(text), text);
        assertTrue(e.getMessage().contains(why), text + " -> " + e.getMessage());
    }
}
