package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcessStatsTest {
    @Test
    void ownProcessHasCpuTimeAndResidentMemory() throws Exception {
        long pid = ProcessHandle.current().pid();

        assertTrue(ProcessStats.cpuSeconds(pid) > 0);
        assertTrue(ProcessStats.residentBytes(pid) > 1_000_000);
    }
}
