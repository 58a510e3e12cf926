package boucle.net.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * TCP socket descriptors for the ring, made with libc: what {@code socket}, {@code bind},
 * {@code listen} and {@code getsockname} give, and the {@code sockaddr} encoding of an
 * {@link InetSocketAddress} (IPv4 and IPv6) that a ring's connect takes. The ring does the rest
 * (accept, connect, receive, send, shutdown, close).
 *
 * <p>Any thread.
 */
public final class NativeSockets {
    private static final int AF_INET6 = 10;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int SOCKADDR_IN_SIZE = 16;
    private static final int SOCKADDR_IN6_SIZE = 28;
    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private NativeSockets() {
    }

    private static void requireNativeAccess() {
        if (!NativeAccess.isEnabled()) {
            throw new IllegalStateException(NativeAccess.MISSING);
        }
    }

    /** A new TCP socket (close-on-exec) of the address's family. */
    public static int open(InetSocketAddress address) throws NativeException {
        requireNativeAccess();
        int family = address.getAddress() instanceof Inet6Address ? AF_INET6 : Libc.AF_INET;
        int fd = Libc.socket(family, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new NativeException("socket", -fd);
        }
        return fd;
    }

    /** A listening socket bound to {@code address} (port 0: any free port), SO_REUSEADDR set. */
    public static int listen(InetSocketAddress address, int backlog) throws NativeException {
        int fd = open(address);
        try (Arena arena = Arena.ofConfined()) {
            check("setsockopt(SO_REUSEADDR)", Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_REUSEADDR, 1));
            check("bind " + address, Libc.bind(fd, encode(address, arena)));
            check("listen", Libc.listen(fd, backlog));
            int ok = fd;
            fd = -1;
            return ok;
        } finally {
            if (fd >= 0) {
                Libc.close(fd);
            }
        }
    }

    /** Sets TCP_NODELAY (no Nagle delay for small writes). */
    public static void setNoDelay(int fd) throws NativeException {
        requireNativeAccess();
        check("setsockopt(TCP_NODELAY)", Libc.setsockopt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, 1));
    }

    /** The address the socket is bound to. */
    public static InetSocketAddress localAddress(int fd) throws NativeException {
        requireNativeAccess();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SOCKADDR_IN6_SIZE, 4);
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            check("getsockname", Libc.getsockname(fd, address, length));
            return decode(address);
        }
    }

    /** The address of the socket's peer. */
    public static InetSocketAddress remoteAddress(int fd) throws NativeException {
        requireNativeAccess();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SOCKADDR_IN6_SIZE, 4);
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            check("getpeername", Libc.getpeername(fd, address, length));
            return decode(address);
        }
    }

    /**
     * Sends what the kernel takes at once ({@code MSG_DONTWAIT}), outside the ring: the last bytes
     * of a socket being closed. Returns the count sent, or {@code -errno} ({@code -EAGAIN}: none).
     */
    public static long sendNow(int fd, long address, int length) {
        requireNativeAccess();
        return Libc.send(fd, MemorySegment.ofAddress(address).reinterpret(length), length, MSG_DONTWAIT | MSG_NOSIGNAL);
    }

    /**
     * Receives what the socket holds now ({@code MSG_DONTWAIT}), outside the ring, up to
     * {@code length} bytes at {@code address}. Returns the count received, 0 at the end of the
     * stream, or {@code -errno} ({@code -EAGAIN}: nothing yet).
     */
    public static long receiveNow(int fd, long address, int length) {
        requireNativeAccess();
        return Libc.recv(fd, MemorySegment.ofAddress(address).reinterpret(length), length, MSG_DONTWAIT);
    }

    /** Closes a descriptor now (outside the ring). */
    public static void close(int fd) {
        requireNativeAccess();
        Libc.close(fd);
    }

    /** {@code address} as a {@code sockaddr_in} or {@code sockaddr_in6} in {@code arena}: what connect and bind take. */
    public static MemorySegment encode(InetSocketAddress address, Arena arena) {
        InetAddress ip = address.getAddress();
        if (ip instanceof Inet4Address) {
            MemorySegment s = arena.allocate(SOCKADDR_IN_SIZE, 4);
            s.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_INET);
            s.set(PORT, 2, (short) address.getPort());
            MemorySegment.copy(MemorySegment.ofArray(ip.getAddress()), 0, s, 4, 4);
            return s;
        }
        MemorySegment s = arena.allocate(SOCKADDR_IN6_SIZE, 4);
        s.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET6);
        s.set(PORT, 2, (short) address.getPort());
        MemorySegment.copy(MemorySegment.ofArray(ip.getAddress()), 0, s, 8, 16);
        s.set(ValueLayout.JAVA_INT, 24, ((Inet6Address) ip).getScopeId());
        return s;
    }

    static InetSocketAddress decode(MemorySegment s) throws NativeException {
        int family = s.get(ValueLayout.JAVA_SHORT, 0);
        int port = Short.toUnsignedInt(s.get(PORT, 2));
        try {
            if (family == Libc.AF_INET) {
                return new InetSocketAddress(InetAddress.getByAddress(s.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE)),
                        port);
            }
            if (family == AF_INET6) {
                return new InetSocketAddress(InetAddress.getByAddress(s.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE)),
                        port);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("the kernel gave a malformed address", e);
        }
        throw new NativeException("getsockname", "not an IP socket (family " + family + ")");
    }

    private static void check(String call, int result) throws NativeException {
        if (result < 0) {
            throw new NativeException(call, -result);
        }
    }
}
