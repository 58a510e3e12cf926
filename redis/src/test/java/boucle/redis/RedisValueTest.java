package boucle.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisValueTest {
    @Test
    void bulkStringsCompareByContentAndDecodeAsUtf8() {
        RedisValue.Bulk bulk = new RedisValue.Bulk("é☃".getBytes(StandardCharsets.UTF_8));
        assertEquals(new RedisValue.Bulk("é☃".getBytes(StandardCharsets.UTF_8)), bulk);
        assertEquals(bulk.hashCode(), new RedisValue.Bulk("é☃".getBytes(StandardCharsets.UTF_8)).hashCode());
        assertEquals("é☃", bulk.asString());
        assertEquals("\uFFFD", new RedisValue.Bulk(new byte[] {(byte) 0xff}).asString(), "malformed UTF-8 is replaced");
        assertTrue(new RedisValue.Bulk(new byte[1_000]).toString().contains("1000 bytes"), "a long bulk is not printed");
    }

    @Test
    void accessorsRefuseTheWrongKindNamingIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new RedisValue.Simple("OK").asLong());
        assertTrue(e.getMessage().contains("Simple[text=OK]"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> new RedisValue.Int(1).asList());
        assertThrows(IllegalStateException.class, () -> new RedisValue.Int(1).asBytes());
        assertEquals(42, new RedisValue.Int(42).asLong());
        assertEquals("42", new RedisValue.Int(42).asString());
    }

    @Test
    void nullAndErrorSayWhatTheyAre() {
        assertTrue(RedisValue.Null.INSTANCE.isNull());
        assertNull(RedisValue.Null.INSTANCE.asString());
        assertNull(RedisValue.Null.INSTANCE.asBytes());
        RedisValue.Error error = new RedisValue.Error("WRONGTYPE Operation against a key holding the wrong kind of value");
        assertTrue(error.isError());
        assertEquals("WRONGTYPE", error.code());
        assertEquals("WRONGTYPE", error.toException().code());
    }

    @Test
    void anArrayIsAnImmutableCopy() {
        List<RedisValue> items = new java.util.ArrayList<>(List.of(new RedisValue.Int(1)));
        RedisValue.Array array = new RedisValue.Array(items);
        items.add(new RedisValue.Int(2));
        assertEquals(1, array.asList().size());
        assertThrows(UnsupportedOperationException.class, () -> array.asList().add(new RedisValue.Int(3)));
        assertArrayEquals("OK".getBytes(StandardCharsets.UTF_8), new RedisValue.Simple("OK").asBytes());
    }
}
