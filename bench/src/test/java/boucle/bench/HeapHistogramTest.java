package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeapHistogramTest {
    private static final String HEADER = " num     #instances         #bytes  class name (module)";

    @Test
    void totalIsTheBytesOfTheTotalLine() throws Exception {
        HeapHistogram histogram = HeapHistogram.parse(List.of(HEADER,
                "   1:          1000          48000  boucle.core.Task",
                "Total          2000        1234567"));

        assertEquals(1234567, histogram.totalBytes());
    }

    @Test
    void growthIsPerUnitAndLargestFirst() throws Exception {
        HeapHistogram before = HeapHistogram.parse(List.of(HEADER,
                "   1:            10            400  java.lang.String",
                "Total            10            400"));
        HeapHistogram after = HeapHistogram.parse(List.of(HEADER,
                "   1:          1010          40400  java.lang.String",
                "   2:          1000          80000  sun.nio.ch.SocketChannelImpl (java.base@25)",
                "   3:             1             16  java.lang.Object",
                "Total          2011         120416"));

        List<HeapHistogram.Growth> growth = after.growthOver(before, 1000, 2);

        assertEquals(List.of(new HeapHistogram.Growth("sun.nio.ch.SocketChannelImpl", 1.0, 80.0),
                new HeapHistogram.Growth("java.lang.String", 1.0, 40.0)), growth);
    }

    @Test
    void aHistogramWithoutTotalIsAnError() {
        IOException error = assertThrows(IOException.class,
                () -> HeapHistogram.parse(List.of("1234: no such process")));
        assertTrue(error.getMessage().contains("no such process"));
    }
}
