package boucle.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A blocking client of a line protocol, for tests of a server running in the background (on a
 * {@code BackgroundServer}): every connect and read gives up after a timeout (default 10 s) with a
 * clear error, so a bug fails the test instead of hanging it.
 *
 * <pre>{@code
 * try (LineClient client = LineClient.connect(server.port())) {
 *     client.send("GET color");
 *     assertEquals("blue", client.readLine());
 * }
 * }</pre>
 *
 * <p>Threads: one thread at a time (it is a plain blocking socket); never a loop's thread, which
 * it would block.
 */
public final class LineClient implements AutoCloseable {
    /** How long connects and reads wait unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    private LineClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code port} on the loopback address. */
    public static LineClient connect(int port) throws IOException {
        return connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), DEFAULT_TIMEOUT);
    }

    /** Connects to {@code address}; the connect and every later read wait at most {@code timeout}. */
    public static LineClient connect(InetSocketAddress address, Duration timeout) throws IOException {
        return new LineClient(openSocket(address, timeout));
    }

    /**
     * A plain blocking {@link Socket} connected to {@code address}, whose connect and reads give up
     * after {@code timeout}: for tests that speak bytes rather than lines.
     */
    public static Socket openSocket(InetSocketAddress address, Duration timeout) throws IOException {
        Objects.requireNonNull(address, "address");
        int millis = Math.toIntExact(Math.max(1, timeout.toMillis()));
        Socket socket = new Socket();
        try {
            socket.connect(address, millis);
            socket.setSoTimeout(millis);
            socket.setTcpNoDelay(true);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** {@link #openSocket(InetSocketAddress, Duration)} to {@code port} on loopback, with the default timeout. */
    public static Socket openSocket(int port) throws IOException {
        return openSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), DEFAULT_TIMEOUT);
    }

    /** Sends {@code line} and a {@code \n}, at once. */
    public LineClient send(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return this;
    }

    /**
     * The next line, without its end of line; {@code null} once the server has closed or shut down
     * its output.
     *
     * @throws SocketTimeoutException if no full line came within the timeout (the message says so)
     */
    public String readLine() throws IOException {
        try {
            return in.readLine();
        } catch (SocketTimeoutException e) {
            SocketTimeoutException clear = new SocketTimeoutException("no line from " + socket.getRemoteSocketAddress()
                    + " within " + socket.getSoTimeout() + " ms");
            clear.initCause(e);
            throw clear;
        }
    }

    /** The next {@code count} lines; fails if the stream ends first. */
    public List<String> readLines(int count) throws IOException {
        List<String> lines = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String line = readLine();
            if (line == null) {
                throw new java.io.EOFException("the server ended the stream after " + lines + "; expected "
                        + count + " lines");
            }
            lines.add(line);
        }
        return lines;
    }

    /** Reads until the server ends the stream; returns the lines that came meanwhile. */
    public List<String> readUntilEnd() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line; (line = readLine()) != null; ) {
            lines.add(line);
        }
        return lines;
    }

    /** Ends this side's output (the server reads end-of-stream); reading stays possible. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** The socket underneath, for what this class does not offer. */
    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
