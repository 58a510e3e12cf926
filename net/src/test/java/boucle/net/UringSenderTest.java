package boucle.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import boucle.core.Boucle;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.net.uring.IoUring;
import boucle.net.uring.NativeSockets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sending on the ring (write now, send once per turn) and an echo over receiver and sender. */
class UringSenderTest {
    @BeforeAll
    static void requireIoUring() {
        assumeTrue(IoUring.probe().available(), () -> IoUring.probe().toString());
    }

    @FunctionalInterface
    interface Body {
        void run(UringEventSource source, int fd, Socket client) throws Exception;
    }

    private static void withConnection(Body body) throws Exception {
        UringEventSource source = new UringEventSource(64, 2048);
        int listener = NativeSockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        int port = NativeSockets.localAddress(listener).getPort();
        try (Loop loop = new Loop(source); Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setSoTimeout(10_000);
            loop.runTask(() -> {
                int fd = UringEventSource.result(source.await((ring, ud) -> ring.accept(listener, 0, false, ud),
                        Registration.NO_DEADLINE, "accept"));
                try {
                    body.run(source, fd, client);
                } finally {
                    NativeSockets.close(fd);
                }
            });
            assertEquals(0, source.buffers().held());
        } finally {
            NativeSockets.close(listener);
        }
    }

    private static ByteBuf ascii(String text) {
        ByteBuf data = Net.allocator().directBuffer();
        data.writeCharSequence(text, StandardCharsets.US_ASCII);
        return data;
    }

    @Test
    void aTurnsWritesLeaveInOneSend() throws Exception {
        withConnection((source, fd, client) -> {
            UringSender sender = new UringSender(source, fd);
            try {
                sender.write(ascii("one "), Registration.NO_DEADLINE);
                sender.write(ascii("two "), Registration.NO_DEADLINE);
                sender.write(ascii("three\n"), Registration.NO_DEADLINE);
                assertEquals(0, sender.sends(), "writes only queue");
                sender.awaitQueuedAtMost(0, Registration.NO_DEADLINE);
                assertEquals(1, sender.sends(), "the turn's three writes left in one send");
                String line = Boucle.runInThread(() -> new String(client.getInputStream().readNBytes(14),
                        StandardCharsets.US_ASCII));
                assertEquals("one two three\n", line);
            } finally {
                sender.close();
            }
        });
    }

    @Test
    void aMegabyteEchoedThroughTheRingComesBackExactly() throws Exception {
        byte[] sent = new byte[1 << 20];
        new Random(11).nextBytes(sent);
        withConnection((source, fd, client) -> {
            UringReceiver receiver = new UringReceiver(source, fd);
            UringSender sender = new UringSender(source, fd);
            try {
                Task<byte[]> peer = Boucle.spawn(() -> {
                    Task<Void> writing = Boucle.spawn(() -> Boucle.runInThread(() -> {
                        OutputStream out = client.getOutputStream();
                        out.write(sent);
                        client.shutdownOutput();
                        return null;
                    }));
                    byte[] back = Boucle.runInThread(() -> {
                        InputStream in = client.getInputStream();
                        return in.readNBytes(sent.length);
                    });
                    writing.await();
                    return back;
                });
                for (ByteBuf data; (data = receiver.readSome(Registration.NO_DEADLINE)) != null; ) {
                    sender.write(data, Registration.NO_DEADLINE); // taken over: the sender releases it
                }
                sender.awaitQueuedAtMost(0, Registration.NO_DEADLINE);
                assertArrayEquals(sent, peer.await());
            } finally {
                receiver.close();
                sender.close();
            }
        });
    }

    @Test
    void theLoopStaysUntilWhatWasWrittenIsSent() throws Exception {
        byte[] big = new byte[16 << 20]; // more than the kernel's socket buffers take at once
        new Random(12).nextBytes(big);
        UringEventSource source = new UringEventSource(8, 2048);
        int listener = NativeSockets.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        int port = NativeSockets.localAddress(listener).getPort();
        int[] fd = {-1};
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setSoTimeout(10_000);
            java.util.concurrent.CompletableFuture<byte[]> received = new java.util.concurrent.CompletableFuture<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    received.complete(client.getInputStream().readAllBytes());
                } catch (java.io.IOException e) {
                    received.completeExceptionally(e);
                }
            });
            try (Loop loop = new Loop(source)) {
                loop.runTask(() -> {
                    fd[0] = UringEventSource.result(source.await((ring, ud) -> ring.accept(listener, 0, false, ud),
                            Registration.NO_DEADLINE, "accept"));
                    UringSender sender = new UringSender(source, fd[0]);
                    sender.setWaterMarks(big.length, 2L * big.length); // never parks: the task ends at once
                    ByteBuf data = Net.allocator().directBuffer(big.length);
                    data.writeBytes(big);
                    sender.write(data, Registration.NO_DEADLINE);
                });
                loop.run(); // the task is done; the loop stays while its bytes are in flight
                assertEquals(0, source.buffers().held());
                NativeSockets.close(fd[0]);
                fd[0] = -1;
            }
            reader.join();
            assertArrayEquals(big, received.get(), "every byte written was sent before the loop ended");
        } finally {
            if (fd[0] >= 0) {
                NativeSockets.close(fd[0]);
            }
            NativeSockets.close(listener);
        }
    }

    @Test
    void aClosedSenderRefusesAndReleasesTheBuffer() throws Exception {
        withConnection((source, fd, client) -> {
            UringSender sender = new UringSender(source, fd);
            sender.write(ascii("queued, never sent"), Registration.NO_DEADLINE);
            sender.close();
            ByteBuf refused = ascii("refused");
            assertThrows(SocketClosedException.class, () -> sender.write(refused, Registration.NO_DEADLINE));
            assertEquals(0, refused.refCnt(), "a refused write still takes its buffer over");
            assertEquals(0, sender.queuedBytes());
        });
    }

    @Test
    void queuedBuffersLeaveInGatheringSendsAndAShortSendResumesWhereItStopped() throws Exception {
        int buffers = 64;
        int size = 64 * 1024; // 4 MiB in all: more than the kernel's socket buffers, so sends come back short
        byte[] sent = new byte[buffers * size];
        new Random(13).nextBytes(sent);
        withConnection((source, fd, client) -> {
            UringSender sender = new UringSender(source, fd);
            try {
                sender.setWaterMarks(sent.length, 2L * sent.length); // all queued at once
                for (int i = 0; i < buffers; i++) {
                    ByteBuf data = i % 4 == 3 // a heap buffer now and then: copied once, then gathered like the rest
                            ? Unpooled.wrappedBuffer(sent, i * size, size)
                            : Net.allocator().directBuffer(size).writeBytes(sent, i * size, size);
                    sender.write(data, Registration.NO_DEADLINE);
                }
                Task<byte[]> peer = Boucle.spawn(() -> {
                    Boucle.sleep(java.time.Duration.ofMillis(50)); // the first sends fill the socket and come back short
                    return Boucle.runInThread(() -> client.getInputStream().readNBytes(sent.length));
                });
                sender.awaitQueuedAtMost(0, Registration.NO_DEADLINE);
                assertArrayEquals(sent, peer.await(), "every byte, in order, across short sends");
                assertTrue(sender.sends() <= buffers / 2, "gathered: " + sender.sends() + " sends for " + buffers
                        + " buffers");
            } finally {
                sender.close();
            }
        });
    }

    @Test
    void closingDuringAGatheringSendReleasesEveryBufferOnceItsCompletionComes() throws Exception {
        withConnection((source, fd, client) -> {
            UringSender sender = new UringSender(source, fd);
            sender.setWaterMarks(16L << 20, 32L << 20);
            List<ByteBuf> written = new ArrayList<>();
            for (int i = 0; i < 128; i++) { // 8 MiB the peer never reads: the sends stay short, then wait
                ByteBuf data = Net.allocator().directBuffer(64 * 1024).writeZero(64 * 1024);
                written.add(data);
                sender.write(data, Registration.NO_DEADLINE);
            }
            Boucle.sleep(java.time.Duration.ofMillis(20)); // sends in flight, the socket full
            sender.close();
            for (int i = 0; i < 100 && written.stream().anyMatch(data -> data.refCnt() > 0); i++) {
                Boucle.sleep(java.time.Duration.ofMillis(5)); // the cancelled send's completion comes
            }
            assertEquals(0, written.stream().filter(data -> data.refCnt() > 0).count(), "buffers still held");
        });
    }
}
