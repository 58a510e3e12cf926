package boucle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's limit on open files (the soft {@code ulimit -n}), which children inherit. */
final class OpenFiles {
    private OpenFiles() {
    }

    static long limit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | NumberFormatException unreadable) {
            // not Linux, or an unexpected format: assume the common default
        }
        return 1024;
    }
}
