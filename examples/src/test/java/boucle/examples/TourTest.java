package boucle.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TourTest {
    private static final List<String> SEED_LINES = List.of(
            "Hello", "World",
            "start", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "finished",
            "foo", "aaa", "bbb", "bar", "ccc", "baz",
            "foo", "bar", "baz",
            "foo", "aaa", "bbb", "bar", "ccc", "baz");

    @Test
    void tourPrintsExactlyTheSeedsLinesUnderFiveHeaders() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"tour"}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        List<String> headers = new ArrayList<>();
        List<String> printed = new ArrayList<>();
        for (String line : lines) {
            (line.startsWith("## ") ? headers : printed).add(line);
        }
        assertEquals(0, status);
        assertEquals(5, headers.size(), lines.toString());
        assertEquals(SEED_LINES, printed);
    }

    @Test
    void usageListsTheTourCommand() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(0, Main.run(new String[0], new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        String usage = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(usage.contains("usage: java -jar boucle-examples.jar"), usage);
        assertTrue(usage.lines().anyMatch(line -> line.trim().startsWith("tour ")), usage);
    }
}
