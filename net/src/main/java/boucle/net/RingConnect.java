package boucle.net;

import boucle.net.uring.Errno;
import boucle.net.uring.NativeSockets;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/**
 * {@link AsyncSocket#connect} on an io_uring loop: a TCP socket made with libc, connected by the
 * ring ({@code IORING_OP_CONNECT}), within the deadline. A wait ended first (deadline,
 * cancellation) cancels the connect in the kernel and closes the descriptor. Loop-thread only.
 */
final class RingConnect {

    private RingConnect() {
    }

    static AsyncSocket connect(UringEventSource ring, InetSocketAddress address, long deadline) throws IOException {
        if (address.isUnresolved()) {
            throw new UnknownHostException(address.getHostString());
        }
        int fd = NativeSockets.open(address);
        try {
            NativeSockets.setNoDelay(fd);
            // an automatic arena: the ring keeps the address reachable until the kernel is done with it
            MemorySegment sockaddr = NativeSockets.encode(address, Arena.ofAuto());
            long where = sockaddr.address();
            int length = (int) sockaddr.byteSize();
            int descriptor = fd;
            int result = UringEventSource.result(ring.awaitLending(sockaddr,
                    (r, userData) -> r.connect(descriptor, where, length, userData), deadline,
                    "connect to " + AsyncSocket.describe(address)));
            if (result < 0) {
                throw failure(-result, address);
            }
            AsyncSocket socket = AsyncSocket.onRing(ring, fd, NativeSockets.localAddress(fd), address);
            fd = -1; // the socket owns it now
            return socket;
        } finally {
            if (fd >= 0) {
                ring.closeDescriptor(fd); // through the ring, after the connect's SQE: its number is not reused under it
            }
        }
    }

    /** The exception a JDK channel would throw for the same errno. */
    private static IOException failure(int errno, InetSocketAddress address) {
        String message = Errno.message(errno) + ": " + AsyncSocket.describe(address);
        return switch (errno) {
            case Errno.ECONNREFUSED -> new ConnectException("Connection refused: " + AsyncSocket.describe(address));
            case Errno.ENETUNREACH, Errno.EHOSTUNREACH -> new NoRouteToHostException(message);
            default -> new ConnectException(message);
        };
    }
}
