package boucle.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;

/** Test helper: sends bytes to an echo server on the loopback and reads the same count back. */
final class EchoProbe {
    private EchoProbe() {
    }

    static byte[] roundTrip(int port, byte[] message) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(message);
            return readExactly(socket.getInputStream(), message.length);
        }
    }

    static byte[] readExactly(InputStream in, int count) throws IOException {
        byte[] back = new byte[count];
        for (int at = 0; at < count; ) {
            int n = in.read(back, at, count - at);
            if (n < 0) {
                throw new IOException("the server closed after " + at + " of " + count + " bytes");
            }
            at += n;
        }
        return back;
    }

    static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + i / 251);
        }
        return bytes;
    }
}
