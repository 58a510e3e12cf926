package boucle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReadSizerTest {

    @Test
    void startsAt2KiB() {
        assertEquals(2048, ReadSizer.nextSize(ReadSizer.START));
    }

    @Test
    void readThatFillsTheBufferQuadruplesTheNextUpTo64KiB() {
        int sizing = ReadSizer.record(ReadSizer.START, 2048);
        assertEquals(8192, ReadSizer.nextSize(sizing));
        sizing = ReadSizer.record(sizing, 8192);
        sizing = ReadSizer.record(sizing, 32768);
        assertEquals(65536, ReadSizer.nextSize(sizing));
        sizing = ReadSizer.record(sizing, 65536);
        assertEquals(65536, ReadSizer.nextSize(sizing));
    }

    @Test
    void twoSmallReadsInARowHalveTheNextDownTo512() {
        int sizing = ReadSizer.record(ReadSizer.START, 10);
        assertEquals(2048, ReadSizer.nextSize(sizing), "one small read is not a trend");
        sizing = ReadSizer.record(sizing, 10);
        assertEquals(1024, ReadSizer.nextSize(sizing));
        for (int i = 0; i < 10; i++) {
            sizing = ReadSizer.record(sizing, 10);
        }
        assertEquals(512, ReadSizer.nextSize(sizing));
    }

    @Test
    void aMediumReadBetweenSmallOnesKeepsTheSize() {
        int sizing = ReadSizer.record(ReadSizer.START, 10);
        sizing = ReadSizer.record(sizing, 1500);
        sizing = ReadSizer.record(sizing, 10);
        assertEquals(2048, ReadSizer.nextSize(sizing));
    }

    @Test
    void aSmallReadAfterAFullOneIsNotYetATrend() {
        int sizing = ReadSizer.record(ReadSizer.START, 10); // small: flagged
        sizing = ReadSizer.record(sizing, 2048); // full: grows, the flag is cleared
        sizing = ReadSizer.record(sizing, 10);
        assertEquals(8192, ReadSizer.nextSize(sizing), "the small read before the full one does not count");
    }
}
