package boucle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows of named values, saved as a tab-separated file with a header line: how each part of the
 * benchmark hands its figures to the report, so that a report can be rewritten without rerunning.
 *
 * <pre>{@code
 * Table load = new Table("scenario", "server", "msgs_per_s");
 * load.add("100x64B", "netty", 181234.0);
 * load.save(dir.resolve("load.tsv"));
 * }</pre>
 *
 * Invariant: every row has one value per column; values hold no tab or newline.
 */
final class Table {
    private final List<String> columns;
    private final List<Map<String, String>> rows = new ArrayList<>();

    Table(String... columns) {
        this.columns = List.of(columns);
    }

    List<String> columns() {
        return columns;
    }

    List<Map<String, String>> rows() {
        return rows;
    }

    void add(Object... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("a row of " + columns + " needs " + columns.size()
                    + " values, not " + values.length + ": " + Arrays.toString(values));
        }
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            String text = String.valueOf(values[i]);
            if (text.indexOf('\t') >= 0 || text.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("a value may hold no tab or newline: '" + text + "'");
            }
            row.put(columns.get(i), text);
        }
        rows.add(row);
    }

    void save(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        StringBuilder text = new StringBuilder(String.join("\t", columns)).append('\n');
        for (Map<String, String> row : rows) {
            text.append(String.join("\t", row.values())).append('\n');
        }
        Files.writeString(file, text);
    }

    /** Reads a saved table; a missing file is an empty table (that part did not run). */
    static Table load(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new Table();
        }
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty()) {
            return new Table();
        }
        Table table = new Table(lines.getFirst().split("\t", -1));
        for (String line : lines.subList(1, lines.size())) {
            if (!line.isEmpty()) {
                table.add((Object[]) line.split("\t", -1));
            }
        }
        return table;
    }
}
