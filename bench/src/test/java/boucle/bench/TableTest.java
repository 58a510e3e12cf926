package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableTest {
    @TempDir
    Path dir;

    @Test
    void savedTableLoadsBackWithTheSameColumnsAndRows() throws Exception {
        Table table = new Table("scenario", "server", "msgs_per_s");
        table.add("100 conns x 64 B", "netty-nio", 181234.5);
        table.add("1 conn x 64 B", "boucle", 50000);
        table.save(dir.resolve("sub/load.tsv"));

        Table loaded = Table.load(dir.resolve("sub/load.tsv"));

        assertEquals(List.of("scenario", "server", "msgs_per_s"), loaded.columns());
        assertEquals(List.of(
                Map.of("scenario", "100 conns x 64 B", "server", "netty-nio", "msgs_per_s", "181234.5"),
                Map.of("scenario", "1 conn x 64 B", "server", "boucle", "msgs_per_s", "50000")), loaded.rows());
    }

    @Test
    void missingFileIsAnEmptyTable() throws Exception {
        assertTrue(Table.load(dir.resolve("never-written.tsv")).rows().isEmpty());
    }

    @Test
    void rowOfTheWrongWidthIsRefused() {
        Table table = new Table("a", "b");
        assertThrows(IllegalArgumentException.class, () -> table.add("only one"));
    }

    @Test
    void valueWithATabIsRefused() {
        Table table = new Table("a");
        assertThrows(IllegalArgumentException.class, () -> table.add("x\ty"));
    }
}
