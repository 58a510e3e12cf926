package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.uring.IoUring;
import java.net.InetAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class NettyEchoServerTest {
    @Test
    void echoReturnsBytesUnchanged() throws Exception {
        try (NettyEchoServer server = NettyEchoServer.start(0)) {
            byte[] message = EchoProbe.pattern(200_000); // larger than any one read
            assertArrayEquals(message, EchoProbe.roundTrip(server.port(), message));
        }
    }

    @Test
    void aPeerVanishingMidWriteLeavesOtherConnectionsServed() throws Exception {
        try (NettyEchoServer server = NettyEchoServer.start(0)) {
            try (Socket vanishing = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                vanishing.setSoLinger(true, 0); // close with a reset, as a crashed peer does
                vanishing.getOutputStream().write(EchoProbe.pattern(1_000_000));
            }
            byte[] message = EchoProbe.pattern(64);
            assertArrayEquals(message, EchoProbe.roundTrip(server.port(), message));
        }
    }

    @Test
    void ioUringTransportEchoesBytesUnchangedOnARing() throws Exception {
        assumeTrue(IoUring.isAvailable(), () -> "no io_uring here: " + IoUring.unavailabilityCause());
        long pid = ProcessHandle.current().pid();
        int ringsBefore = ProcessStats.ioUringDescriptors(pid);
        try (NettyEchoServer server = NettyEchoServer.start(NettyAnchor.Transport.IO_URING, 0, 1)) {
            assertTrue(ProcessStats.ioUringDescriptors(pid) > ringsBefore, "the anchor's event loop holds a ring");
            byte[] message = EchoProbe.pattern(200_000);
            assertArrayEquals(message, EchoProbe.roundTrip(server.port(), message));
        }
    }
}
