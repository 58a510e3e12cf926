package boucle.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.test.LineClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A chat client as {@code nc} is one, shared by the chat tests: it sends lines, and a thread of its
 * own reads the lines the room sends it until the server ends the stream (or resets it, which is
 * recorded). Any connected socket will do, an {@code SSLSocket} too. Any thread.
 */
public final class ChatClient implements AutoCloseable {
    private static final String WELCOME = "* welcome, you are ";

    private final Socket socket;
    private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    /** Counted down at the welcome: from then on the client is in the room and gets every line said. */
    private final CountDownLatch welcomed = new CountDownLatch(1);
    private volatile String nick;
    private volatile IOException endedBy;

    /** Connects to the room on loopback {@code port}. */
    public ChatClient(int port) throws IOException {
        this(quietAllowed(LineClient.openSocket(port)));
    }

    /**
     * No read timeout: the reader thread waits as long as the room is quiet, and only the server
     * (or {@link #close()}) ends the stream, so {@link #awaitEnd} never mistakes a client-side
     * timeout for the server closing; {@link #next()} has its own patience.
     */
    private static Socket quietAllowed(Socket socket) throws IOException {
        socket.setSoTimeout(0);
        return socket;
    }

    public ChatClient(Socket socket) {
        this.socket = socket;
        Thread reader = new Thread(this::readLines, "chat-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects and takes the room's welcome off the received lines; {@link #nick()} is the name it gave. */
    public static ChatClient joined(int port) throws IOException, InterruptedException {
        ChatClient client = new ChatClient(port);
        String welcome = client.next();
        assertTrue(welcome.startsWith(WELCOME), welcome);
        return client;
    }

    private void readLines() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith(WELCOME) && nick == null) {
                    nick = line.substring(WELCOME.length(), line.indexOf('.', WELCOME.length()));
                    welcomed.countDown();
                }
                received.add(line);
            }
        } catch (IOException e) {
            endedBy = e;
        } finally {
            ended.countDown();
        }
    }

    /**
     * Waits up to {@code millis} for the welcome. With several loops, clients that connect in some
     * order may join in another (each join is a round trip to the loop that keeps the nicknames),
     * and a member gets the lines said after it joined: a test that needs a member to see a talker's
     * first line waits for the member's welcome before the talker starts.
     */
    public boolean awaitWelcome(long millis) throws InterruptedException {
        return welcomed.await(millis, TimeUnit.MILLISECONDS);
    }

    /** The nickname the room gave at the welcome ({@code guest-N}), or {@code null} before it. */
    public String nick() {
        return nick;
    }

    public Socket socket() {
        return socket;
    }

    public void send(String line) throws IOException {
        sendRaw((line + "\n").getBytes(UTF_8));
    }

    /** Whole: a keep-alive thread and the test's own thread may send at once. */
    public synchronized void sendRaw(byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /** The next line received, waiting up to 20 s for it. */
    public String next() throws InterruptedException {
        String line = received.poll(20, TimeUnit.SECONDS);
        assertTrue(line != null, "no line came within 20 s");
        return line;
    }

    /** The next line received within {@code millis}, or {@code null} if none came. */
    public String poll(long millis) throws InterruptedException {
        return received.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Skips lines until one equals {@code expected} (failing if none comes within 20 s). */
    public void expect(String expected) throws InterruptedException {
        while (!next().equals(expected)) {
            // skipped
        }
    }

    /** The lines received and not yet taken by {@link #next()}, at this moment. */
    public List<String> unread() {
        return List.copyOf(received);
    }

    /** Whether the stream ended (end of stream or reset) within {@code millis}. */
    public boolean awaitEnd(long millis) throws InterruptedException {
        return ended.await(millis, TimeUnit.MILLISECONDS);
    }

    public boolean hasEnded() {
        return ended.getCount() == 0;
    }

    /** What ended the stream, if it was an error rather than the end of stream ({@code null} otherwise). */
    public IOException endedBy() {
        return endedBy;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
