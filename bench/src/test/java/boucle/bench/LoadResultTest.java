package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LoadResultTest {
    @Test
    void parsesEveryValueOfTheResultLine() {
        LoadResult result = LoadResult.parse("result connections=100 msgs_per_s=181234 p99_us=12.5 server_cpu_s=-1");

        assertEquals(100, result.get("connections"));
        assertEquals(181234, result.get("msgs_per_s"));
        assertEquals(12.5, result.get("p99_us"));
        assertEquals(-1, result.get("server_cpu_s"));
    }

    @Test
    void refusesALineThatIsNotAResult() {
        assertThrows(IllegalArgumentException.class, () -> LoadResult.parse("loadgen: FAILED: wrong byte"));
        assertThrows(IllegalArgumentException.class, () -> LoadResult.parse(null));
    }

    @Test
    void aMissingValueIsNamedInTheError() {
        LoadResult result = LoadResult.parse("result msgs=1");
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> result.get("p50_us"));
        assertTrue(error.getMessage().contains("p50_us"));
    }
}
