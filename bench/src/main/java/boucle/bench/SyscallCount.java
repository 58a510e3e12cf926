package boucle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The system calls a running process makes over a window, in total and by name, every thread
 * counted. Two ways, the first that works here:
 * <ol>
 *   <li>{@code perf stat} on the kernel's syscall tracepoints: counted in the kernel, the process
 *       runs at full speed, so the count over a window inside a load run, divided by that run's
 *       rate times the window, is the calls per message;</li>
 *   <li>{@code strace -c -f -p PID}: each call stops the process twice (ptrace), so the server runs
 *       slower while counted; the figure is still calls per message, but a ring server batches more
 *       completions per enter when it is slow, which flatters it. The report says which tool counted.</li>
 * </ol>
 *
 * <pre>{@code
 * SyscallCount.Tool tool = SyscallCount.tool();
 * Map<String, Long> calls = tool.count(pid, 2.0);   // "total" plus one entry per call name
 * }</pre>
 */
final class SyscallCount {
    /** The key of the total in a count's map. */
    static final String TOTAL = "total";
    /**
     * The calls named one by one (the rest only count in the total): the data path of each kind of
     * server, its waiting, and the JVM's own locking.
     */
    static final List<String> NAMED = List.of("read", "write", "readv", "writev", "recvfrom", "sendto", "recvmsg",
            "sendmsg", "epoll_wait", "epoll_pwait", "epoll_ctl", "io_uring_enter", "futex");

    /**
     * The ring's own events, counted only by perf (its {@code io_uring:} tracepoints), under the key
     * {@code ring:NAME}: requests submitted and completed, operations the kernel could not do inline
     * and handed to its worker threads ({@code queue_async_work}), and receives that found no data
     * and armed a poll ({@code poll_arm}).
     */
    static final List<String> RING_EVENTS = List.of("io_uring_submit_req", "io_uring_complete",
            "io_uring_queue_async_work", "io_uring_poll_arm");

    private SyscallCount() {
    }

    /** One way of counting; {@link #name} goes into the report. */
    interface Tool {
        String name();

        /** Counts the calls of {@code pid} (all its threads) for {@code seconds}, starting now. */
        Map<String, Long> count(long pid, double seconds) throws IOException, InterruptedException;
    }

    /** perf if it can read the syscall tracepoints here, else strace, else an {@link IOException} saying what to install. */
    static Tool tool() throws IOException, InterruptedException {
        if (perfWorks()) {
            return new Perf();
        }
        if (commandWorks(List.of("strace", "-V"))) {
            return new Strace();
        }
        throw new IOException("neither 'perf stat' on syscall tracepoints nor strace works here:"
                + " install strace (apt-get install strace; ./boucle bench uring does)");
    }

    private static boolean perfWorks() throws InterruptedException {
        try {
            Result run = exec(List.of("perf", "stat", "-x,", "-e", "raw_syscalls:sys_enter", "--", "true"), 30);
            return run.status() == 0 && run.errors().lines().anyMatch(line -> line.matches("\\d+,.*raw_syscalls:sys_enter.*"));
        } catch (IOException noPerf) {
            return false;
        }
    }

    private static boolean commandWorks(List<String> command) throws InterruptedException {
        try {
            return exec(command, 30).status() == 0;
        } catch (IOException missing) {
            return false;
        }
    }

    /** {@code perf stat -x, -e raw_syscalls:sys_enter,syscalls:sys_enter_NAME... -p PID -- sleep S}. */
    static final class Perf implements Tool {
        @Override
        public String name() {
            return "perf stat (syscall tracepoints)";
        }

        @Override
        public Map<String, Long> count(long pid, double seconds) throws IOException, InterruptedException {
            List<String> events = new ArrayList<>(List.of("raw_syscalls:sys_enter"));
            for (String call : NAMED) {
                if (Files.isDirectory(Path.of("/sys/kernel/tracing/events/syscalls/sys_enter_" + call))
                        || Files.isDirectory(Path.of("/sys/kernel/debug/tracing/events/syscalls/sys_enter_" + call))) {
                    events.add("syscalls:sys_enter_" + call);
                }
            }
            for (String event : RING_EVENTS) {
                if (Files.isDirectory(Path.of("/sys/kernel/tracing/events/io_uring/" + event))
                        || Files.isDirectory(Path.of("/sys/kernel/debug/tracing/events/io_uring/" + event))) {
                    events.add("io_uring:" + event);
                }
            }
            Result run = exec(List.of("perf", "stat", "-x,", "-e", String.join(",", events), "-p", Long.toString(pid),
                    "--", "sleep", String.format(Locale.ROOT, "%.3f", seconds)), (long) seconds + 60);
            if (run.status() != 0) {
                throw new IOException("perf stat failed (exit " + run.status() + "): " + run.errors().strip());
            }
            return parsePerf(run.errors());
        }
    }

    /**
     * Parses perf's CSV lines ({@code 157436,,syscalls:sys_enter_read,...}); a named call
     * {@code <not counted>} is 0, the total {@code <not counted>} an error.
     */
    static Map<String, Long> parsePerf(String output) throws IOException {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String line : output.lines().toList()) {
            String[] fields = line.split(",", -1);
            if (fields.length < 3) {
                continue;
            }
            String event = fields[2];
            long value = fields[0].matches("\\d+") ? Long.parseLong(fields[0]) : 0;
            if (event.equals("raw_syscalls:sys_enter")) {
                if (!fields[0].matches("\\d+")) { // "<not counted>": no figure, which is not zero calls
                    throw new IOException("perf stat could not count the process's system calls: " + line);
                }
                counts.put(TOTAL, value);
            } else if (event.startsWith("syscalls:sys_enter_")) {
                counts.put(event.substring("syscalls:sys_enter_".length()), value);
            } else if (event.startsWith("io_uring:")) {
                counts.put("ring:" + event.substring("io_uring:".length()), value);
            }
        }
        if (!counts.containsKey(TOTAL)) {
            throw new IOException("perf stat printed no raw_syscalls:sys_enter count: " + output.strip());
        }
        return counts;
    }

    /** {@code strace -c -f -p PID}, stopped with SIGINT after the window, which prints its summary. */
    static final class Strace implements Tool {
        @Override
        public String name() {
            return "strace -c -f (ptrace: the server runs slower while counted)";
        }

        @Override
        public Map<String, Long> count(long pid, double seconds) throws IOException, InterruptedException {
            Result run = exec(List.of("timeout", "-s", "INT", String.format(Locale.ROOT, "%.3f", seconds),
                    "strace", "-c", "-f", "-p", Long.toString(pid)), (long) seconds + 60);
            return parseStrace(run.errors());
        }
    }

    /**
     * Parses strace's summary table ({@code % time seconds usecs/call calls errors syscall}, the
     * errors column blank when none) and its {@code total} line.
     */
    static Map<String, Long> parseStrace(String output) throws IOException {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String line : output.lines().toList()) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 5 || !fields[0].matches("[0-9.]+")) {
                continue;
            }
            String name = fields[fields.length - 1];
            long calls = Long.parseLong(fields[3]);
            counts.put(name, calls);
        }
        if (!counts.containsKey(TOTAL)) {
            throw new IOException("strace printed no summary (is ptrace allowed here?): " + output.strip());
        }
        return counts;
    }

    private record Result(int status, String errors) {
    }

    private static Result exec(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        process.getOutputStream().close();
        String errors = new String(process.getErrorStream().readAllBytes());
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("did not finish in " + timeoutSeconds + " s: " + command);
        }
        return new Result(process.exitValue(), errors);
    }
}
