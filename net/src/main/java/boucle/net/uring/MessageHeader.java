package boucle.net.uring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A {@code struct msghdr} followed by its {@code struct iovec} array, written into memory the
 * caller owns and keeps until the send's completion (a pooled direct buffer of {@link #size}
 * bytes): what {@link IoUring#sendGathered} sends from. Linux x86-64 and aarch64 layout: a
 * 56-byte header with no address and no control data, then 16 bytes per buffer.
 * <pre>{@code
 * long header = scratch.memoryAddress();
 * MessageHeader.write(header, 2);
 * MessageHeader.setBuffer(header, 0, first.memoryAddress() + first.readerIndex(), first.readableBytes());
 * MessageHeader.setBuffer(header, 1, second.memoryAddress() + second.readerIndex(), second.readableBytes());
 * ring.sendGathered(fd, header, MSG_NOSIGNAL, userData);
 * }</pre>
 * Stateless: any thread, on memory that thread owns.
 */
public final class MessageHeader {
    private static final long HEADER = 56;
    private static final long IOVEC = 16;
    private static final long IOV = 16; // msg_iov
    private static final long IOV_LENGTH = 24; // msg_iovlen

    private MessageHeader() {
    }

    /** Bytes a header listing {@code buffers} buffers takes. */
    public static int size(int buffers) {
        return (int) (HEADER + IOVEC * buffers);
    }

    /** Writes at {@code address} a header that lists {@code buffers} buffers, set next with {@link #setBuffer}. */
    public static void write(long address, int buffers) {
        MemorySegment header = MemorySegment.ofAddress(address).reinterpret(HEADER);
        header.fill((byte) 0);
        header.set(ValueLayout.JAVA_LONG, IOV, address + HEADER);
        header.set(ValueLayout.JAVA_LONG, IOV_LENGTH, buffers);
    }

    /** Sets the header's buffer {@code index}: {@code length} bytes from {@code base}. */
    public static void setBuffer(long address, int index, long base, long length) {
        MemorySegment iovec = MemorySegment.ofAddress(address + HEADER + IOVEC * index).reinterpret(IOVEC);
        iovec.set(ValueLayout.JAVA_LONG, 0, base);
        iovec.set(ValueLayout.JAVA_LONG, 8, length);
    }
}
