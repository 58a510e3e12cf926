package boucle.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Boucle;
import boucle.core.Task;
import boucle.test.BoucleTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.Random;
import org.junit.jupiter.api.Disabled;

class AsyncSocketPairTest {

    @BoucleTest
    void linesGoBothWaysAndHalfCloseEndsTheOtherSidesStream() throws Exception {
        try (AsyncSocketPair pair = AsyncSocketPair.open()) {
            pair.left().write("PING\n");
            assertEquals("PING", pair.right().readLine(100));
            pair.right().write("PONG\n");
            assertEquals("PONG", pair.left().readLine(100));
            pair.left().shutdownOutput();
            assertNull(pair.right().readLine(100), "end of stream after the half-close");
            pair.right().write("still open the other way\n");
            assertEquals("still open the other way", pair.left().readLine(100));
            assertEquals("local", pair.left().remoteAddress().getHostString());
        }
    }

    @BoucleTest
    @Disabled("open bug: on a Unix-domain pair the parked writer is never woken once the reader has drained"
            + " the kernel's buffer (the reader gets the 233,152 bytes the kernel held, 94,528 stay queued);"
            + " the parking half works, the resume does not")
    void aWriterParksWhenThePeerDoesNotReadAndResumesWhenItDoes() throws Exception {
        try (AsyncSocketPair pair = AsyncSocketPair.open()) {
            pair.left().setWriteBufferWaterMarks(8 * 1024, 32 * 1024);
            byte[] chunk = new byte[64 * 1024];
            new Random(7).nextBytes(chunk);
            int chunks = 64;
            Task<Void> writer = Boucle.spawn(() -> {
                for (int i = 0; i < chunks; i++) {
                    pair.left().write(chunk);
                }
                pair.left().flush();
                pair.left().shutdownOutput();
            });
            Boucle.waitAllTasksBlocked();
            assertEquals(Task.State.PARKED, writer.state(), "4 MiB cannot fit: the writer waits for the reader");
            assertTrue(pair.left().pendingWriteBytes() > 0);
            int received = 0;
            for (ByteBuf bytes; (bytes = pair.right().read()) != null; ) {
                try {
                    for (int at = 0; at < bytes.readableBytes(); at++) {
                        int offset = (received + at) % chunk.length;
                        if (bytes.getByte(bytes.readerIndex() + at) != chunk[offset]) {
                            assertArrayEquals(new byte[] {chunk[offset]}, ByteBufUtil.getBytes(bytes, bytes.readerIndex() + at, 1),
                                    "byte " + (received + at));
                        }
                    }
                    received += bytes.readableBytes();
                } finally {
                    bytes.release();
                }
            }
            writer.await();
            assertEquals(chunks * chunk.length, received);
        }
    }
}
