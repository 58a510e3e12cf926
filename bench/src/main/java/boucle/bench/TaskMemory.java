package boucle.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@link SleepingTasks} in a JVM limited to a 1 GiB heap and collects its figures: if a
 * million sleeping tasks do not fit, that JVM fails with OutOfMemoryError and the report says so.
 */
final class TaskMemory {
    static final String FILE = "tasks.tsv";
    static final String CLASSES_FILE = "task-classes.tsv";
    static final String HEAP_LIMIT = "-Xmx1g";

    private final Settings settings;

    TaskMemory(Settings settings) {
        this.settings = settings;
    }

    Table run() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(settings.java().toString(), HEAP_LIMIT, "-XX:+UseG1GC",
                "-jar", settings.benchJar().toString(), "sleeping-tasks", Integer.toString(settings.sleepingTasks())));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new String(process.getInputStream().readAllBytes()).lines().toList();
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(settings.sleepingTasks() + " sleeping tasks did not fit or failed with " + HEAP_LIMIT
                    + ":\n" + String.join("\n", lines));
        }
        LoadResult result = LoadResult.parse(lines.stream().filter(line -> line.startsWith(LoadResult.PREFIX))
                .findFirst().orElse(null));
        Table table = new Table("tasks", "heap_bytes_per_task", "live_heap_mib", "max_heap_mib",
                "quiet_window_ms", "loop_cpu_ms", "loop_turns");
        table.add(table.columns().stream().map(column -> format(result.get(column))).toArray());
        table.save(settings.work().resolve(FILE));
        Table classes = new Table("class", "instances", "bytes");
        lines.stream().filter(line -> line.startsWith("class ")).map(line -> line.split(" "))
                .forEach(fields -> classes.add(fields[1], fields[2], fields[3]));
        classes.save(settings.work().resolve(CLASSES_FILE));
        System.out.println("  " + String.join(" ", lines.stream().filter(l -> l.startsWith("result")).toList()));
        return table;
    }

    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
