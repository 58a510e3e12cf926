package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessStatsTest {
    @Test
    void histogramTotalIsTheBytesOfItsTotalLine() throws Exception {
        List<String> histogram = List.of(
                " num     #instances         #bytes  class name (module)",
                "-------------------------------------------------------",
                "   1:          1000          48000  boucle.core.Task",
                "Total          2000        1234567");

        assertEquals(1234567, ProcessStats.histogramTotal(histogram));
    }

    @Test
    void aHistogramWithoutTotalIsAnError() {
        assertThrows(IOException.class, () -> ProcessStats.histogramTotal(List.of("1234: no such process")));
    }

    @Test
    void ownProcessHasCpuTimeAndResidentMemory() throws Exception {
        long pid = ProcessHandle.current().pid();

        assertTrue(ProcessStats.cpuSeconds(pid) > 0);
        assertTrue(ProcessStats.residentBytes(pid) > 1_000_000);
    }
}
