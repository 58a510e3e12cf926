package boucle.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Boucle;
import boucle.core.Task;
import boucle.test.BoucleTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.Random;
import java.net.UnixDomainSocketAddress;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

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
            assertInstanceOf(UnixDomainSocketAddress.class, pair.left().remoteAddress(), "a Unix-domain pair's addresses");
            assertInstanceOf(UnixDomainSocketAddress.class, pair.right().localAddress());
        }
    }

    @BoucleTest
    void aWriterParksWhenThePeerDoesNotReadAndResumesWhenItDoes() throws Exception {
        try (AsyncSocketPair pair = AsyncSocketPair.open()) {
            pair.left().setWriteBufferWaterMarks(8 * 1024, 32 * 1024);
            byte[] chunk = new byte[64 * 1024];
            new Random(7).nextBytes(chunk);
            int chunks = 64; // 4 MiB: far more than the kernel holds for a Unix-domain socket
            Task<Void> writer = Boucle.spawn(() -> {
                for (int i = 0; i < chunks; i++) {
                    pair.left().write(chunk);
                    assertTrue(pair.left().pendingWriteBytes() <= 32 * 1024 + chunk.length, "queue bounded");
                }
                pair.left().shutdownOutput();
            });
            Boucle.waitAllTasksBlocked();
            assertEquals(Task.State.PARKED, writer.state(), "the writer waits for the reader");
            assertTrue(pair.left().pendingWriteBytes() > 32 * 1024, "past the high-water mark");
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            for (ByteBuf bytes; (bytes = pair.right().read()) != null; ) {
                try {
                    received.write(ByteBufUtil.getBytes(bytes));
                } finally {
                    bytes.release();
                }
            }
            writer.await();
            byte[] all = received.toByteArray();
            assertEquals(chunks * chunk.length, all.length);
            for (int i = 0; i < chunks; i++) {
                assertArrayEquals(chunk, Arrays.copyOfRange(all, i * chunk.length, (i + 1) * chunk.length), "chunk " + i);
            }
        }
    }
}
