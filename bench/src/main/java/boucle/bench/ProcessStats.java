package boucle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a server process costs, seen from outside: CPU time from {@code /proc/PID/stat}, resident
 * memory from {@code /proc/PID/status}. Its live heap is a {@link HeapHistogram}.
 */
final class ProcessStats {
    /** Clock ticks per second of /proc's CPU times; 100 on Linux unless the kernel says otherwise. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessStats() {
    }

    /** User plus system CPU seconds the process has used. */
    static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        // the command name, in parentheses, may hold spaces: the fields restart after the last ')'
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        long utime = Long.parseLong(fields[11]);
        long stime = Long.parseLong(fields[12]);
        return (utime + stime) / TICKS_PER_SECOND;
    }

    /**
     * How many io_uring instances the process holds open (descriptors that link to
     * {@code anon_inode:[io_uring]}): how the bench checks that a server said to run on io_uring
     * really does, and that one said to run on NIO does not.
     */
    static int ioUringDescriptors(long pid) throws IOException {
        int rings = 0;
        try (var descriptors = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path descriptor : (Iterable<Path>) descriptors::iterator) {
                try {
                    if (Files.readSymbolicLink(descriptor).toString().equals("anon_inode:[io_uring]")) {
                        rings++;
                    }
                } catch (IOException closedMeanwhile) {
                    // a descriptor closed between the listing and the read is no ring
                }
            }
        }
        return rings;
    }

    static long residentBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    /** How many file descriptors the process has open (sockets among them), from {@code /proc/PID/fd}. */
    static long openDescriptors(long pid) throws IOException {
        try (var entries = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return entries.count();
        }
    }
}
