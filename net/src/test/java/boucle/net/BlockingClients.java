package boucle.net;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;

/** Plain blocking sockets as the servers' tests drive them: text in, lines out. */
final class BlockingClients {
    private BlockingClients() {
    }

    /** A reader of the socket's lines. Each call makes a new one: read one line per call, or keep it. */
    static BufferedReader lines(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
    }

    /** Writes {@code text} (ends of line included) and flushes it. */
    static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(UTF_8));
        out.flush();
    }
}
