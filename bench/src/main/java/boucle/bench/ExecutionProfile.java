package boucle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a server JVM spends its time in Java, from a JFR recording taken while it is under load
 * ({@code jcmd PID JFR.start}, then {@code JFR.dump} and {@code JFR.stop}): the
 * {@code jdk.ExecutionSample} events (threads running Java code, the recorder's own left out)
 * counted by their top frame, and the {@code jdk.NativeMethodSample} events (threads inside a
 * native call: the wait for events, a system call through FFM or JNI) beside them. The split
 * between kernel and user time comes from {@code /proc/PID/stat} (the load generator's figures);
 * this says which Java code the user part is.
 *
 * <pre>{@code
 * try (ExecutionProfile.Recording recording = ExecutionProfile.start(jcmd, pid, file)) {
 *     // ... load ...
 *     ExecutionProfile profile = recording.stop();
 * }
 * }</pre>
 *
 * @param javaSamples   execution samples (threads in Java code)
 * @param nativeSamples native-method samples (threads in native code)
 * @param topFrames     {@code Class.method} of the top frame to its number of execution samples, most first
 */
record ExecutionProfile(long javaSamples, long nativeSamples, Map<String, Long> topFrames) {
    private static final String NAME = "uring-profile";

    /** The share of execution samples whose top frame is {@code method}. */
    double share(String method) {
        return javaSamples == 0 ? 0 : topFrames.getOrDefault(method, 0L) / (double) javaSamples;
    }

    /** The share of execution samples whose top frame's class starts with {@code prefix} (a package). */
    double shareOfPackage(String prefix) {
        long samples = topFrames.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToLong(Map.Entry::getValue).sum();
        return javaSamples == 0 ? 0 : samples / (double) javaSamples;
    }

    /**
     * Starts a recording with the {@code profile} settings, sampling every 2 ms in Java and in native
     * code alike (instead of 10 and 20 ms), so that a few seconds give enough samples and the two
     * counts compare.
     */
    static Recording start(Path jcmd, long pid, Path file) throws IOException, InterruptedException {
        Files.deleteIfExists(file);
        Files.createDirectories(file.toAbsolutePath().getParent());
        jcmd(jcmd, pid, "JFR.start", "name=" + NAME, "settings=profile", "jdk.ExecutionSample#period=2ms",
                "jdk.NativeMethodSample#period=2ms");
        return new Recording(jcmd, pid, file);
    }

    /** A recording under way; {@link #stop} reads it, {@link #close} only ends it. */
    static final class Recording implements AutoCloseable {
        private final Path jcmd;
        private final long pid;
        private final Path file;
        private boolean stopped;

        private Recording(Path jcmd, long pid, Path file) {
            this.jcmd = jcmd;
            this.pid = pid;
            this.file = file;
        }

        ExecutionProfile stop() throws IOException, InterruptedException {
            jcmd(jcmd, pid, "JFR.dump", "name=" + NAME, "filename=" + file.toAbsolutePath());
            close();
            return read(file);
        }

        @Override
        public void close() throws IOException, InterruptedException {
            if (!stopped) {
                stopped = true;
                jcmd(jcmd, pid, "JFR.stop", "name=" + NAME);
            }
        }
    }

    static ExecutionProfile read(Path file) throws IOException {
        long java = 0;
        long inNative = 0;
        Map<String, Long> frames = new LinkedHashMap<>();
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            String type = event.getEventType().getName();
            if (type.equals("jdk.NativeMethodSample")) {
                inNative++;
            } else if (type.equals("jdk.ExecutionSample") && event.getStackTrace() != null
                    && !event.getStackTrace().getFrames().isEmpty()) {
                RecordedFrame top = event.getStackTrace().getFrames().getFirst();
                String method = top.getMethod().getType().getName() + "." + top.getMethod().getName();
                if (!method.startsWith("jdk.jfr.")) { // the recorder's own work is not the server's
                    java++;
                    frames.merge(method, 1L, Long::sum);
                }
            }
        }
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(frames.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()));
        Map<String, Long> ordered = new LinkedHashMap<>();
        sorted.forEach(e -> ordered.put(e.getKey(), e.getValue()));
        return new ExecutionProfile(java, inNative, ordered);
    }

    private static void jcmd(Path jcmd, long pid, String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", line) + " failed: " + output.strip());
        }
    }
}
