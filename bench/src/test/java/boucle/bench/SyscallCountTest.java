package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyscallCountTest {
    @Test
    void perfCountsAreReadByCallNameWithTheTotalApart() throws Exception {
        String output = """
                317415,,raw_syscalls:sys_enter,305216331,100.00,,
                157436,,syscalls:sys_enter_read,305216331,100.00,,
                2543,,syscalls:sys_enter_epoll_wait,305216331,100.00,,
                <not counted>,,syscalls:sys_enter_io_uring_enter,0,100.00,,
                400,,io_uring:io_uring_submit_req,305216331,100.00,,
                """;

        Map<String, Long> counts = SyscallCount.parsePerf(output);

        assertEquals(Map.of(SyscallCount.TOTAL, 317415L, "read", 157436L, "epoll_wait", 2543L, "io_uring_enter", 0L,
                "ring:io_uring_submit_req", 400L), counts);
    }

    @Test
    void straceSummaryIsReadWithOrWithoutAnErrorsColumn() throws Exception {
        String output = """
                strace: Process 4242 attached with 3 threads
                % time     seconds  usecs/call     calls    errors syscall
                ------ ----------- ----------- --------- --------- ----------------
                 61.20    0.300000           2    150000           write
                 38.70    0.190000           1    150000       120 read
                  0.10    0.000500           5       100           epoll_wait
                ------ ----------- ----------- --------- --------- ----------------
                100.00    0.490500           1    300100       120 total
                """;

        Map<String, Long> counts = SyscallCount.parseStrace(output);

        assertEquals(150000L, counts.get("write"));
        assertEquals(150000L, counts.get("read"));
        assertEquals(100L, counts.get("epoll_wait"));
        assertEquals(300100L, counts.get(SyscallCount.TOTAL));
    }

    @Test
    void outputWithoutATotalIsAnErrorNotAZero() {
        assertThrows(IOException.class, () -> SyscallCount.parsePerf("Error: no access to tracepoints"));
        assertThrows(IOException.class, () -> SyscallCount.parsePerf("<not counted>,,raw_syscalls:sys_enter,0,100.00,,"));
        assertThrows(IOException.class, () -> SyscallCount.parseStrace("strace: attach: ptrace(PTRACE_SEIZE): Operation not permitted"));
    }
}
