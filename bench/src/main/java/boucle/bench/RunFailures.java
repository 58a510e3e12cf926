package boucle.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The runs of a part that failed (a server dropped a client, a line went missing), kept instead of
 * ending the part: one bad run on a loaded machine must not take the other runs' figures with it.
 * The report lists them beside the medians of the runs that passed; the part still ends as failed.
 *
 * <pre>{@code
 * LoadResult result = failures.attempt("chat flood", "boucle", 2, () -> crowd.chatFlood(...));
 * if (result == null) { continue; } // recorded; go on with the next run
 * }</pre>
 */
final class RunFailures {
    /** A run of the crowd client. */
    interface Run {
        LoadResult call() throws IOException, InterruptedException;
    }

    private final Path file;
    private final Table table = new Table("scenario", "server", "repetition", "failure");

    RunFailures(Path file) {
        this.file = file;
    }

    /** The run's result, or null once its failure is recorded. */
    LoadResult attempt(String scenario, String server, int repetition, Run run) throws InterruptedException {
        try {
            return run.call();
        } catch (IOException failure) {
            String message = failure.getMessage().replaceAll("[\\t\\n\\r]+", " ");
            table.add(scenario, server, repetition, message);
            System.err.printf("  %s %s #%d FAILED: %s%n", scenario, server, repetition, message);
            return null;
        }
    }

    void save() throws IOException {
        table.save(file);
    }

    /** Ends the part as failed if any run failed, naming them. */
    void throwIfAny() throws IOException {
        if (!table.rows().isEmpty()) {
            throw new IOException(table.rows().size() + " run(s) failed: " + table.rows().stream()
                    .map(row -> row.get("scenario") + " " + row.get("server") + " #" + row.get("repetition"))
                    .toList());
        }
    }

    /** The failures a part saved; empty if none (or the part did not run). */
    static List<String> load(Path file) throws IOException {
        return Table.load(file).rows().stream()
                .map(row -> String.format("%s, %s, run %s: %s", row.get("scenario"), row.get("server"),
                        row.get("repetition"), row.get("failure")))
                .toList();
    }
}
