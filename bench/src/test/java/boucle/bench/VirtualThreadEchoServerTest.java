package boucle.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.net.InetAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class VirtualThreadEchoServerTest {
    @Test
    void echoReturnsBytesUnchanged() throws Exception {
        try (VirtualThreadEchoServer server = VirtualThreadEchoServer.start(0)) {
            byte[] message = EchoProbe.pattern(200_000); // larger than any one read
            assertArrayEquals(message, EchoProbe.roundTrip(server.port(), message));
        }
    }

    @Test
    void aPeerVanishingMidWriteLeavesOtherConnectionsServed() throws Exception {
        try (VirtualThreadEchoServer server = VirtualThreadEchoServer.start(0)) {
            try (Socket vanishing = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                vanishing.setSoLinger(true, 0); // close with a reset, as a crashed peer does
                vanishing.getOutputStream().write(EchoProbe.pattern(1_000_000));
            }
            byte[] message = EchoProbe.pattern(64);
            assertArrayEquals(message, EchoProbe.roundTrip(server.port(), message));
        }
    }
}
