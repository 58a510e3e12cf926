package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UringReportTest {
    @Test
    void theSectionReplacesItsPreviousVersionAndLeavesTheRestOfTheReport(@TempDir Path root) throws Exception {
        Settings settings = Settings.quick(root);
        Files.createDirectories(settings.results());
        Path report = settings.results().resolve(Report.REPORT);
        Files.writeString(report, "# Boucle benchmark report\n\n## Socket load\n\nfigures\n");
        Files.writeString(settings.results().resolve(UringReport.ANALYSIS), "### Reading\n\nhand-written\n");

        new UringReport(settings).write();
        Files.writeString(report, Files.readString(report) + "\n## A later section\n\nkept\n");
        new UringReport(settings).write();

        String text = Files.readString(report);
        assertTrue(text.startsWith("# Boucle benchmark report\n\n## Socket load\n\nfigures\n"), text);
        assertEquals(1, count(text, UringReport.HEADING), text);
        assertEquals(1, count(text, "hand-written"), text);
        assertTrue(text.endsWith("\n## A later section\n\nkept\n"), text);
        assertTrue(text.contains("Not checked: Boucle on io_uring did not run."), text);
        assertTrue(Files.exists(settings.results().resolve(UringReport.CHART)));
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }
}
