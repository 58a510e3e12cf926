package boucle.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ExportCheckTest {
    /** Run in a JVM started without the export: prints the error a user would see. */
    public static void main(String[] args) {
        new Loop().close(); // must fail here, before a user binds a port or starts a thread
    }

    @Test
    void withoutTheExportNewLoopFailsWithOneClearMessage() throws Exception {
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        String classpath = Path.of(ExportCheckTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                + java.io.File.pathSeparator
                + Path.of(Boucle.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Process process = new ProcessBuilder(javaCommand, "-cp", classpath, ExportCheckTest.class.getName())
                .redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertNotEquals(0, process.exitValue());
        assertTrue(output.contains("--add-exports java.base/jdk.internal.vm=ALL-UNNAMED"), output);
        assertFalse(output.contains("IllegalAccessError"), output);
        assertEquals(1, output.lines().filter(line -> line.contains("Exception")).count(), output);
        assertFalse(output.lines().anyMatch(line -> line.trim().startsWith("at ")), output);
    }
}
