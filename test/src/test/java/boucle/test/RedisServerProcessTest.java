package boucle.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A real redis-server, spoken to in RESP over a blocking socket (inline commands, one line each). */
class RedisServerProcessTest {

    /** Sends one inline command and returns the first line of the reply. */
    private static String ask(Socket socket, BufferedReader in, String command) throws IOException {
        socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
        return in.readLine();
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    @Test
    void startedServerAnswersOnLoopbackAtItsUri() throws IOException {
        try (RedisServerProcess redis = RedisServerProcess.start();
                Socket socket = LineClient.openSocket(redis.port())) {
            assertEquals("redis://127.0.0.1:" + redis.port(), redis.uri());
            assertTrue(redis.port() > 0);
            assertEquals("+PONG", ask(socket, reader(socket), "PING"));
        }
    }

    @Test
    void restartKeepsThePortAndStartsEmpty() throws IOException {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            int port = redis.port();
            try (Socket socket = LineClient.openSocket(port)) {
                BufferedReader in = reader(socket);
                assertEquals("+OK", ask(socket, in, "SET k v"));
                assertEquals("$1", ask(socket, in, "GET k"));
            }
            redis.restart();
            assertEquals(port, redis.port());
            try (Socket socket = LineClient.openSocket(port)) {
                assertEquals("$-1", ask(socket, reader(socket), "GET k"), "no persistence: the key is gone");
            }
        }
    }

    @Test
    void killEndsOpenConnectionsAndRestartServesAgain() throws IOException {
        try (RedisServerProcess redis = RedisServerProcess.start();
                Socket socket = LineClient.openSocket(redis.port())) {
            BufferedReader in = reader(socket);
            assertEquals("+PONG", ask(socket, in, "PING"));
            redis.kill();
            assertFalse(redis.isRunning());
            assertEquals(null, in.readLine(), "the killed server's connection ends");
            redis.restart();
            try (Socket again = LineClient.openSocket(redis.port())) {
                assertEquals("+PONG", ask(again, reader(again), "PING"));
            }
        }
    }

    @Test
    void pausedServerAnswersNothingUntilResumed() throws IOException {
        try (RedisServerProcess redis = RedisServerProcess.start();
                Socket socket = LineClient.openSocket(redis.port())) {
            BufferedReader in = reader(socket);
            assertEquals("+PONG", ask(socket, in, "PING"));
            redis.pause();
            socket.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> ask(socket, in, "PING"));
            redis.resume();
            socket.setSoTimeout(10_000);
            assertEquals("+PONG", in.readLine(), "the command sent while paused is answered after");
        }
    }

    @Test
    void stopEndsTheProcessAndCloseDeletesItsDirectory() throws IOException {
        Path directory;
        try (RedisServerProcess redis = RedisServerProcess.start(List.of("--maxmemory", "10mb"))) {
            try (Socket socket = LineClient.openSocket(redis.port())) {
                BufferedReader in = reader(socket);
                assertEquals("*2", ask(socket, in, "CONFIG GET maxmemory"));
                in.readLine();
                in.readLine();
                assertEquals("$8", in.readLine());
                assertEquals("10485760", in.readLine(), "the extra option reached the server");
                ask(socket, in, "CONFIG GET dir");
                in.readLine();
                in.readLine();
                in.readLine();
                directory = Path.of(in.readLine());
            }
            assertTrue(Files.isDirectory(directory));
            redis.stop();
            assertFalse(redis.isRunning());
            assertThrows(IllegalStateException.class, redis::pid);
        }
        assertFalse(Files.exists(directory), "close deletes the temporary directory");
    }

    @Test
    void logTailShowsTheServersOutput() throws IOException {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            assertTrue(redis.logTail().contains("Ready to accept connections"), redis.logTail());
            assertTrue(redis.toString().contains("pid " + redis.pid()), redis.toString());
        }
    }
}
