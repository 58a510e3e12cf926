package boucle.bench;

import boucle.net.uring.IoUring;
import boucle.net.uring.NativeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One message over a loopback TCP connection, written by one end and read by the other, on the
 * same direct buffer, three ways: NIO's {@code SocketChannel.write}/{@code read} (the baseline),
 * libc's {@code write}/{@code read} through {@code java.lang.foreign} downcalls (errno captured,
 * as {@code boucle.net.uring} calls libc), and io_uring: a send and a receive prepared in the ring
 * and submitted with one {@code io_uring_enter} (and 16 messages on 16 connections per enter, the
 * batching a loop's turn gives).
 *
 * <p>The NIO and FFM paths make the same two system calls: their difference is the Java-side cost
 * of a call. The ring makes one call for two operations, or for 32.
 */
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED",
    "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class DowncallBenchmark extends Microbenchmark {
    static final int BATCH = 16;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle READ = link("read");
    private static final MethodHandle WRITE = link("write");

    @Param({"64", "1024"})
    int size;

    private final Connection[] connections = new Connection[BATCH];
    private ByteBuffer buffer;
    private MemorySegment segment;
    private MemorySegment capture;
    private Arena arena;
    private IoUring ring;

    /** One loopback connection: NIO channels in blocking mode and their descriptors. */
    private record Connection(SocketChannel writer, SocketChannel reader, int writerFd, int readerFd,
            MemorySegment buffer) {
    }

    @SuppressWarnings("restricted") // measuring the downcall is the point; the fork enables native access
    private static MethodHandle link(String name) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_LONG),
                Linker.Option.captureCallState("errno"));
    }

    @Setup
    public void setUp() throws IOException, ReflectiveOperationException {
        arena = Arena.ofShared();
        capture = arena.allocate(CAPTURE_LAYOUT);
        buffer = ByteBuffer.allocateDirect(size);
        segment = MemorySegment.ofBuffer(buffer);
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            for (int i = 0; i < BATCH; i++) {
                SocketChannel writer = SocketChannel.open(listener.getLocalAddress());
                SocketChannel reader = listener.accept();
                writer.setOption(StandardSocketOptions.TCP_NODELAY, true);
                reader.setOption(StandardSocketOptions.TCP_NODELAY, true);
                connections[i] = new Connection(writer, reader, fd(writer), fd(reader),
                        i == 0 ? segment : arena.allocate(size, 64));
            }
        }
        ring = IoUring.open(4 * BATCH);
    }

    /** The channel's descriptor: {@code sun.nio.ch.SelChImpl.getFDVal()}, exported to this fork. */
    private static int fd(SocketChannel channel) throws ReflectiveOperationException {
        return (int) Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal").invoke(channel);
    }

    @TearDown
    public void tearDown() throws IOException {
        ring.close();
        for (Connection c : connections) {
            c.writer().close();
            c.reader().close();
        }
        arena.close();
    }

    @Benchmark
    public int nioWriteRead() throws IOException {
        Connection c = connections[0];
        buffer.clear();
        while (buffer.hasRemaining()) {
            c.writer().write(buffer);
        }
        buffer.clear();
        while (buffer.hasRemaining()) {
            c.reader().read(buffer);
        }
        return buffer.position();
    }

    @Benchmark
    public long boucleFfmWriteRead() throws Throwable {
        Connection c = connections[0];
        for (long done = 0; done < size; ) {
            done += check((long) WRITE.invokeExact(capture, c.writerFd(), segment.asSlice(done), size - done));
        }
        long read = 0;
        while (read < size) {
            read += check((long) READ.invokeExact(capture, c.readerFd(), segment.asSlice(read), size - read));
        }
        return read;
    }

    private long check(long result) {
        if (result < 0) {
            throw new UncheckedIOException(new IOException("errno " + (int) ERRNO.get(capture, 0L)));
        }
        return result;
    }

    @Benchmark
    public int boucleRingWriteRead() throws NativeException {
        return ringRound(1);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int boucleRingBatch16() throws NativeException {
        return ringRound(BATCH);
    }

    /**
     * A send and a receive per connection, all in one {@code io_uring_enter} that waits for all of
     * them. The send comes first in the ring, so the kernel finds the bytes when it runs the
     * receive. A short send or receive (never seen on loopback at these sizes) fails the run.
     */
    private int ringRound(int count) throws NativeException {
        for (int i = 0; i < count; i++) {
            Connection c = connections[i];
            ring.send(c.writerFd(), c.buffer().address(), size, 0, i);
            ring.recv(c.readerFd(), c.buffer().address(), size, 0, i);
        }
        int waiting = 2 * count;
        int[] bytes = {0};
        while (waiting > 0) {
            int result = ring.submitAndWait(waiting, IoUring.NO_TIMEOUT);
            if (result < 0 && result != -4) { // -EINTR: wait again
                throw new IllegalStateException("io_uring_enter: " + result);
            }
            waiting -= ring.drain((userData, res, flags) -> {
                if (res != size) {
                    throw new IllegalStateException("operation " + userData + ": " + res + " of " + size + " bytes");
                }
                bytes[0] += res;
            });
        }
        return bytes[0];
    }
}
