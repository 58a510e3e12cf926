package boucle.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A class histogram of live objects ({@code jcmd PID GC.class_histogram}, which runs a full GC
 * first): the total of live bytes, and bytes and instances per class, so that two histograms can
 * tell what a connection or a task is made of.
 *
 * <pre>{@code
 * HeapHistogram before = HeapHistogram.of(jcmd, pid);
 * // ... open 20,000 connections ...
 * List<Growth> perConnection = HeapHistogram.of(jcmd, pid).growthOver(before, 20_000, 8);
 * }</pre>
 */
record HeapHistogram(long totalBytes, Map<String, long[]> classes) {
    /** How much one class grew, per unit (connection, task), in instances and bytes. */
    record Growth(String className, double instancesPerUnit, double bytesPerUnit) {
    }

    static HeapHistogram of(Path jcmd, long pid) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
                .redirectErrorStream(true).start();
        List<String> lines = new String(process.getInputStream().readAllBytes()).lines().toList();
        process.waitFor();
        return parse(lines);
    }

    /** Parses the lines of a histogram; an {@link IOException} if it has no "Total" line. */
    static HeapHistogram parse(List<String> lines) throws IOException {
        Map<String, long[]> classes = new LinkedHashMap<>();
        long total = -1;
        for (String line : lines) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 4 && fields[0].matches("\\d+:") && fields[1].matches("\\d+")
                    && fields[2].matches("\\d+")) {
                classes.merge(fields[3], new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[2])},
                        (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
            } else if (fields.length == 3 && fields[0].equals("Total")) {
                total = Long.parseLong(fields[2]);
            }
        }
        if (total < 0) {
            throw new IOException("no 'Total' line in the class histogram: " + String.join("\n", lines));
        }
        return new HeapHistogram(total, classes);
    }

    /** The {@code top} classes that grew most since {@code baseline}, per one of {@code units}. */
    List<Growth> growthOver(HeapHistogram baseline, int units, int top) {
        List<Growth> growth = new ArrayList<>();
        for (Map.Entry<String, long[]> entry : classes.entrySet()) {
            long[] before = baseline.classes.getOrDefault(entry.getKey(), new long[2]);
            long bytes = entry.getValue()[1] - before[1];
            if (bytes > 0) {
                growth.add(new Growth(entry.getKey(), (entry.getValue()[0] - before[0]) / (double) units,
                        bytes / (double) units));
            }
        }
        growth.sort(Comparator.comparingDouble(Growth::bytesPerUnit).reversed());
        return growth.subList(0, Math.min(top, growth.size()));
    }
}
