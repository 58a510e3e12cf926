package boucle.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReadSizerTest {

    @Test
    void startsAt2KiB() {
        assertEquals(2048, new ReadSizer().nextSize());
    }

    @Test
    void readThatFillsTheBufferQuadruplesTheNextUpTo64KiB() {
        ReadSizer sizer = new ReadSizer();
        sizer.record(2048);
        assertEquals(8192, sizer.nextSize());
        sizer.record(8192);
        sizer.record(32768);
        assertEquals(65536, sizer.nextSize());
        sizer.record(65536);
        assertEquals(65536, sizer.nextSize());
    }

    @Test
    void twoSmallReadsInARowHalveTheNextDownTo512() {
        ReadSizer sizer = new ReadSizer();
        sizer.record(10);
        assertEquals(2048, sizer.nextSize(), "one small read is not a trend");
        sizer.record(10);
        assertEquals(1024, sizer.nextSize());
        for (int i = 0; i < 10; i++) {
            sizer.record(10);
        }
        assertEquals(512, sizer.nextSize());
    }

    @Test
    void aMediumReadBetweenSmallOnesKeepsTheSize() {
        ReadSizer sizer = new ReadSizer();
        sizer.record(10);
        sizer.record(1500);
        sizer.record(10);
        assertEquals(2048, sizer.nextSize());
    }
}
