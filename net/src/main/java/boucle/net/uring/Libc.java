package boucle.net.uring;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The C library functions this package calls, as {@link Linker} downcalls: {@code syscall} for the
 * three io_uring system calls (libc has no wrapper for them), and the few file and socket calls
 * around them. No JNI and no native library of our own: the JDK links against the libc already in
 * the process.
 *
 * <h2>Errors</h2>
 * Every method returns what the C function returns, except that a failure ({@code -1} and
 * {@code errno}) comes back as {@code -errno}, the kernel's own convention, which is also how a
 * completion reports a failed operation: one way to read a result everywhere. {@code errno} is
 * captured by the downcall itself ({@link Linker.Option#captureCallState}), since the JVM may call
 * libc between our call and a later read of {@code errno}.
 *
 * <h2>Native access</h2>
 * Linking a downcall is a restricted operation: this class must only be loaded once
 * {@link NativeAccess#isEnabled()} said yes, so that a missing {@code --enable-native-access}
 * gives the probe's one clear message instead of the JVM's warning.
 *
 * <p>Any thread: the errno capture buffer is per thread.
 */
final class Libc {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout ADDRESS = ValueLayout.ADDRESS;

    // long syscall(long number, ...): every variadic argument is passed as a long, because glibc
    // reads each one with va_arg(ap, long) and an int would leave the register's upper half undefined.
    private static final MethodHandle SYSCALL_5 = variadicSyscall(5);
    private static final MethodHandle SYSCALL_6 = variadicSyscall(6);
    private static final MethodHandle MMAP = link("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, LONG, INT, INT, INT, LONG));
    private static final MethodHandle MUNMAP = link("munmap", FunctionDescriptor.of(INT, ADDRESS, LONG));
    private static final MethodHandle CLOSE = link("close", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle READ = link("read", FunctionDescriptor.of(LONG, INT, ADDRESS, LONG));
    private static final MethodHandle WRITE = link("write", FunctionDescriptor.of(LONG, INT, ADDRESS, LONG));
    private static final MethodHandle EVENTFD = link("eventfd", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle SOCKET = link("socket", FunctionDescriptor.of(INT, INT, INT, INT));
    private static final MethodHandle BIND = link("bind", FunctionDescriptor.of(INT, INT, ADDRESS, INT));
    private static final MethodHandle LISTEN = link("listen", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle GETSOCKNAME =
            link("getsockname", FunctionDescriptor.of(INT, INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETPEERNAME =
            link("getpeername", FunctionDescriptor.of(INT, INT, ADDRESS, ADDRESS));
    private static final MethodHandle SEND = link("send", FunctionDescriptor.of(LONG, INT, ADDRESS, LONG, INT));
    private static final MethodHandle RECV = link("recv", FunctionDescriptor.of(LONG, INT, ADDRESS, LONG, INT));
    private static final MethodHandle SETSOCKOPT =
            link("setsockopt", FunctionDescriptor.of(INT, INT, INT, INT, ADDRESS, INT));

    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int MAP_PRIVATE = 2;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MAP_POPULATE = 0x8000;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;
    static final int AF_INET = 2;
    static final int SOCK_STREAM = 1;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int IPPROTO_TCP = 6;
    static final int TCP_NODELAY = 1;

    private Libc() {
    }

    @SuppressWarnings("restricted") // the reason this class exists; guarded by NativeAccess
    private static MethodHandle link(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"));
    }

    @SuppressWarnings("restricted")
    private static MethodHandle variadicSyscall(int args) {
        MemoryLayout[] layouts = new MemoryLayout[args + 1];
        java.util.Arrays.fill(layouts, LONG);
        MemorySegment symbol = LINKER.defaultLookup().find("syscall")
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no syscall"));
        return LINKER.downcallHandle(symbol, FunctionDescriptor.of(LONG, layouts),
                Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    }

    private static long orErrno(long result, MemorySegment capture) {
        return result == -1 ? -(int) ERRNO.get(capture, 0L) : result;
    }

    /** {@code syscall(number, a..e)}: the result, or {@code -errno}. */
    static long syscall(long number, long a, long b, long c, long d, long e) {
        MemorySegment capture = CAPTURE.get();
        try {
            return orErrno((long) SYSCALL_5.invokeExact(capture, number, a, b, c, d, e), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code syscall(number, a..f)}: the result, or {@code -errno}. */
    static long syscall(long number, long a, long b, long c, long d, long e, long f) {
        MemorySegment capture = CAPTURE.get();
        try {
            return orErrno((long) SYSCALL_6.invokeExact(capture, number, a, b, c, d, e, f), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code mmap}: the mapping, sized {@code length} and of global scope (the caller unmaps it), or a failure. */
    @SuppressWarnings("restricted") // the kernel gave us this many bytes
    static MemorySegment mmap(long length, int prot, int flags, int fd, long offset) throws NativeException {
        MemorySegment capture = CAPTURE.get();
        MemorySegment address;
        try {
            address = (MemorySegment) MMAP.invokeExact(capture, MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (address.address() == -1L) { // MAP_FAILED
            throw new NativeException("mmap", -(int) ERRNO.get(capture, 0L));
        }
        return address.reinterpret(length);
    }

    static int munmap(MemorySegment mapping) {
        MemorySegment capture = CAPTURE.get();
        try {
            return (int) orErrno((int) MUNMAP.invokeExact(capture, mapping, mapping.byteSize()), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int close(int fd) {
        MemorySegment capture = CAPTURE.get();
        try {
            return (int) orErrno((int) CLOSE.invokeExact(capture, fd), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long read(int fd, MemorySegment buffer, long count) {
        MemorySegment capture = CAPTURE.get();
        try {
            return orErrno((long) READ.invokeExact(capture, fd, buffer, count), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long write(int fd, MemorySegment buffer, long count) {
        MemorySegment capture = CAPTURE.get();
        try {
            return orErrno((long) WRITE.invokeExact(capture, fd, buffer, count), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int eventfd(int initial, int flags) {
        MemorySegment capture = CAPTURE.get();
        try {
            return (int) orErrno((int) EVENTFD.invokeExact(capture, initial, flags), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int socket(int domain, int type, int protocol) {
        MemorySegment capture = CAPTURE.get();
        try {
            return (int) orErrno((int) SOCKET.invokeExact(capture, domain, type, protocol), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int bind(int fd, MemorySegment address) {
        MemorySegment capture = CAPTURE.get();
        try {
            return (int) orErrno((int) BIND.invokeExact(capture, fd, address, (int) address.byteSize()), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int listen(int fd, int backlog) {
        MemorySegment capture = CAPTURE.get();
        try {
            return (int) orErrno((int) LISTEN.invokeExact(capture, fd, backlog), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code getsockname} into {@code address}, whose size is the room given; {@code length} receives the size used. */
    static int getsockname(int fd, MemorySegment address, MemorySegment length) {
        MemorySegment capture = CAPTURE.get();
        length.set(INT, 0, (int) address.byteSize());
        try {
            return (int) orErrno((int) GETSOCKNAME.invokeExact(capture, fd, address, length), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code getpeername}, as {@link #getsockname}. */
    static int getpeername(int fd, MemorySegment address, MemorySegment length) {
        MemorySegment capture = CAPTURE.get();
        length.set(INT, 0, (int) address.byteSize());
        try {
            return (int) orErrno((int) GETPEERNAME.invokeExact(capture, fd, address, length), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code send(2)} of {@code count} bytes at {@code address}; the count sent, or {@code -errno}. */
    static long send(int fd, MemorySegment buffer, long count, int flags) {
        MemorySegment capture = CAPTURE.get();
        try {
            return orErrno((long) SEND.invokeExact(capture, fd, buffer, count, flags), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code recv(2)} of at most {@code count} bytes into {@code buffer}; the count received (0: end of stream), or {@code -errno}. */
    static long recv(int fd, MemorySegment buffer, long count, int flags) {
        MemorySegment capture = CAPTURE.get();
        try {
            return orErrno((long) RECV.invokeExact(capture, fd, buffer, count, flags), capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int setsockopt(int fd, int level, int option, int value) {
        MemorySegment capture = CAPTURE.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(INT, value);
            return (int) orErrno((int) SETSOCKOPT.invokeExact(capture, fd, level, option, v, (int) INT.byteSize()),
                    capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A downcall declares {@code Throwable}; a C function cannot throw, so anything here is a JVM error. */
    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("a native call threw a checked exception", t);
    }
}
