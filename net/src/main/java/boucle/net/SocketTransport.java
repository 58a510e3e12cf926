package boucle.net;

import boucle.core.Loop;

/**
 * The bottom of an {@link AsyncSocket}: a connected socket as a {@link ByteStream}, with what the
 * socket and its server need beyond the stream. {@link SocketStream} is the NIO one (a channel and
 * the selector's readiness), {@link UringStream} the io_uring one (a descriptor the ring drives).
 * Loop-thread only, except {@link #loop()}.
 */
interface SocketTransport extends ByteStream {
    /** The loop the socket belongs to. Any thread. */
    Loop loop();

    /** The loop's event source: its step budget. */
    NetSource source();

    /** When the last byte arrived, on the loop's clock: what an idle timeout looks at. */
    long lastReadAt();

    /** The server began shutting down: a read that would wait throws a {@link ServerShuttingDownException}. */
    void endReadWaits(String reason);

    /** How many send or write system calls (or ring sends) this socket made: a diagnostic for tests. */
    long writeCalls();
}
