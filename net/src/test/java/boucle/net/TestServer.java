package boucle.net;

import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Loop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** An {@link AsyncServer} served by a loop on a thread of its own, for tests with blocking clients. */
public final class TestServer implements AutoCloseable {
    private final Loop loop = Net.newLoop();
    private final AsyncServer server;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile RuntimeException failure;
    private volatile Error error;

    public TestServer(AsyncServer.Builder builder) throws IOException {
        server = builder.bind();
        Thread thread = new Thread(this::serve, "server-loop");
        thread.setDaemon(true);
        thread.start();
    }

    private void serve() {
        try (loop) {
            loop.runTask(server::serveForever);
        } catch (RuntimeException e) {
            failure = e;
        } catch (Error e) {
            error = e;
        } finally {
            stopped.countDown();
        }
    }

    /** The server itself, for calls a test makes from its own (foreign) thread. */
    public AsyncServer server() {
        return server;
    }

    public Loop loop() {
        return loop;
    }

    public int port() {
        return server.port();
    }

    /** A blocking client whose reads give up after 10 s, so a bug fails instead of hanging. */
    public Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port()), 10_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Runs {@code query} on the loop's thread and returns its answer. */
    <T> T onLoop(Supplier<T> query) throws Exception {
        CompletableFuture<T> answer = new CompletableFuture<>();
        loop.callSoonThreadsafe(() -> answer.complete(query.get()));
        return answer.get(10, TimeUnit.SECONDS);
    }

    public int connectionCount() throws Exception {
        return onLoop(server::connectionCount);
    }

    public void shutdown() {
        loop.callSoonThreadsafe(server::shutdown);
    }

    /** Waits until serveForever has returned and the loop is closed; rethrows what ended it badly. */
    public void awaitStopped() throws InterruptedException {
        assertTrue(stopped.await(20, TimeUnit.SECONDS), "the server did not stop within 20 s");
        if (failure != null) {
            throw failure;
        }
        if (error != null) {
            throw error;
        }
    }

    @Override
    public void close() throws InterruptedException {
        shutdown();
        awaitStopped();
    }
}
