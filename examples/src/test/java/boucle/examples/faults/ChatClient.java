package boucle.examples.faults;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.test.LineClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A chat client as {@code nc} is one: it sends lines, and a thread of its own reads the lines the
 * room sends it until the server ends the stream (or resets it, which is recorded).
 */
final class ChatClient implements AutoCloseable {
    final Socket socket;
    final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    /** Counted down at the welcome: from then on the client is in the room and gets every line said. */
    private final CountDownLatch welcomed = new CountDownLatch(1);
    private volatile IOException endedBy;

    ChatClient(int port) throws IOException {
        this(LineClient.openSocket(port));
    }

    ChatClient(Socket socket) {
        this.socket = socket;
        Thread reader = new Thread(this::readLines, "chat-client");
        reader.setDaemon(true);
        reader.start();
    }

    private void readLines() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                received.add(line);
                if (line.startsWith("* welcome")) {
                    welcomed.countDown();
                }
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
    boolean awaitWelcome(long millis) throws InterruptedException {
        return welcomed.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    void send(String line) throws IOException {
        sendRaw((line + "\n").getBytes(UTF_8));
    }

    /** Whole: the keep-alive thread and the test's own thread may send at once. */
    synchronized void sendRaw(byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /** The next line received, waiting up to 10 s for it. */
    String next() throws InterruptedException {
        String line = received.poll(10, TimeUnit.SECONDS);
        assertTrue(line != null, "no line came within 10 s");
        return line;
    }

    /** Skips lines until one equals {@code expected}. */
    void expect(String expected) throws InterruptedException {
        while (!next().equals(expected)) {
            // skipped
        }
    }

    /** Whether the stream ended (end of stream or reset) within {@code millis}. */
    boolean awaitEnd(long millis) throws InterruptedException {
        return ended.await(millis, TimeUnit.MILLISECONDS);
    }

    boolean hasEnded() {
        return ended.getCount() == 0;
    }

    /** What ended the stream, if it was an error rather than the end of stream ({@code null} otherwise). */
    IOException endedBy() {
        return endedBy;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
