package boucle.net;

/**
 * A {@link Registration}'s readiness on an io_uring loop: the ring polls the channel's descriptor
 * ({@code IORING_OP_POLL_ADD}, single-shot), one poll per direction at most, armed while the
 * registration has interest in that direction. A completed poll is dispatched as a selected key
 * is, and renewed while the interest stays: the level-triggered behaviour of the selector.
 *
 * <p>This is how the ring serves the channels it does not drive itself: datagram sockets and
 * Unix domain sockets keep their NIO code and run on a ring loop unchanged. Loop-thread only.
 */
final class RingPolls {
    private static final int POLLIN = 0x1;
    private static final int POLLOUT = 0x4;

    private final Registration registration;
    private final UringEventSource ring;
    private final java.nio.channels.SelectableChannel channel;
    private final int fd;
    /** The user data of each direction's poll in flight, 0 when none. */
    private long readPoll;
    private long writePoll;
    private UringEventSource.Handler readDone;
    private UringEventSource.Handler writeDone;

    RingPolls(Registration registration, UringEventSource ring, java.nio.channels.SelectableChannel channel) {
        this.registration = registration;
        this.ring = ring;
        this.channel = channel;
        this.fd = ChannelDescriptor.of(channel);
    }

    java.nio.channels.SelectableChannel channel() {
        return channel;
    }

    /** Arms a poll for each direction that {@code interest} wants and none is in flight for. */
    void arm(int interest) {
        if ((interest & Registration.readSide()) != 0 && readPoll == 0) {
            if (readDone == null) {
                readDone = (result, flags) -> {
                    readPoll = 0;
                    registration.polled(Registration.readSide());
                };
            }
            readPoll = ring.start((r, userData) -> r.pollAdd(fd, POLLIN, userData), readDone);
        }
        if ((interest & Registration.writeSide()) != 0 && writePoll == 0) {
            if (writeDone == null) {
                writeDone = (result, flags) -> {
                    writePoll = 0;
                    registration.polled(Registration.writeSide());
                };
            }
            writePoll = ring.start((r, userData) -> r.pollAdd(fd, POLLOUT, userData), writeDone);
        }
    }

    /** Cancels the polls in flight; their completions, which still come, find the registration closed. */
    void cancel() {
        if (readPoll != 0) {
            ring.cancel(readPoll);
        }
        if (writePoll != 0) {
            ring.cancel(writePoll);
        }
        if (readPoll != 0 || writePoll != 0) {
            ring.submitNow(); // now: a poll in flight holds the socket open, and the peer waits for its close
        }
    }
}
