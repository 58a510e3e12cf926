package boucle.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Boucle;
import boucle.core.Task;
import boucle.test.BoucleTest;
import boucle.test.RedisServerProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Against a real redis-server on a free loopback port; the fault tests start one of their own. */
class RedisClientTest {
    private static RedisServerProcess shared;
    /** Past the socket's high-water mark and many times a read: made once, off the loop's thread. */
    private static final byte[] HUGE = new byte[48 * 1024 * 1024];

    @BeforeAll
    static void startRedis() throws IOException {
        shared = RedisServerProcess.start();
        new Random(7).nextBytes(HUGE);
    }

    @AfterAll
    static void stopRedis() throws IOException {
        shared.close();
    }

    private static RedisClient connect(RedisServerProcess redis, RedisOptions options) throws RedisException {
        return RedisClient.connect(RedisUri.parse(redis.uri()), options);
    }

    private static void closeAndWait(RedisClient client) {
        client.close();
        client.awaitClosed();
    }

    @BoucleTest
    void setThenGetReturnsTheValueAndAnAbsentKeyIsNull() throws Exception {
        RedisClient redis = connect(shared, RedisOptions.defaults());
        try {
            assertTrue(redis.set("basic:k", "v"));
            assertEquals("v", redis.get("basic:k"));
            assertNull(redis.get("basic:absent"));
            assertEquals(1, redis.del("basic:k", "basic:absent"));
            assertNull(redis.get("basic:k"));
        } finally {
            closeAndWait(redis);
        }
    }

    @BoucleTest
    void setNxIsRefusedWhenTheKeyExistsAndPxMakesItExpire() throws Exception {
        RedisClient redis = connect(shared, RedisOptions.defaults());
        try {
            assertTrue(redis.set("nx:k", "first", SetArgs.nx().px(60_000)));
            assertFalse(redis.set("nx:k", "second", SetArgs.nx().px(60_000)), "NX refused: the key exists");
            assertEquals("first", redis.get("nx:k"));
            long ttl = redis.command("PTTL", "nx:k").asLong();
            assertTrue(ttl > 0 && ttl <= 60_000, "PX set an expiry: " + ttl);
            assertFalse(redis.set("xx:k", "v", SetArgs.xx()), "XX refused: the key is absent");
            assertTrue(redis.pexpire("nx:k", 5_000));
            assertFalse(redis.pexpire("nx:absent", 5_000));
        } finally {
            redis.del("nx:k");
            closeAndWait(redis);
        }
    }

    @BoucleTest
    void repliesGoToTheirCallersInOrderUnderPipeliningFromAHundredTasks() throws Exception {
        RedisClient redis = connect(shared, RedisOptions.defaults());
        try {
            List<Task<List<String>>> tasks = new ArrayList<>();
            for (int t = 0; t < 100; t++) {
                int id = t;
                tasks.add(Boucle.spawn(() -> {
                    List<String> seen = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        redis.set("pipe:" + id, id + "-" + i);
                        seen.add(redis.get("pipe:" + id));
                        seen.add(Long.toString(redis.command("INCR", "pipe:count:" + id).asLong()));
                    }
                    return seen;
                }));
            }
            List<List<String>> results = Boucle.gather(new ArrayList<>(tasks));
            for (int t = 0; t < 100; t++) {
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    expected.add(t + "-" + i);
                    expected.add(Long.toString(i + 1));
                }
                assertEquals(expected, results.get(t), "task " + t);
            }
            RedisValue clients = redis.command("CLIENT", "LIST");
            assertEquals(1, clients.asString().lines().count(), "every task shared one connection: " + clients);
        } finally {
            for (int t = 0; t < 100; t++) {
                redis.del("pipe:" + t, "pipe:count:" + t);
            }
            closeAndWait(redis);
        }
    }

    @BoucleTest
    void commandsSentInOneTurnLeaveTogetherAndAwaitInAnyOrder() throws Exception {
        RedisClient redis = connect(shared, RedisOptions.defaults());
        try {
            List<RedisCall> calls = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                calls.add(redis.send("ECHO", "m" + i));
            }
            assertEquals(1_000, redis.pendingCommands());
            assertEquals("m999", calls.get(999).await().asString());
            for (int i = 0; i < 1_000; i++) {
                assertTrue(calls.get(i).isDone(), "replies come in order: " + i + " came before 999");
                assertEquals("m" + i, calls.get(i).await().asString());
            }
            assertEquals(0, redis.pendingCommands());
        } finally {
            closeAndWait(redis);
        }
    }

    @BoucleTest(timeoutMillis = 30_000)
    void aHugeValueRoundTripsByteForByte() throws Exception {
        byte[] value = HUGE;
        RedisClient redis = connect(shared, RedisOptions.defaults().commandTimeout(Duration.ofSeconds(20)));
        try {
            RedisCall before = redis.send("ECHO", "before");
            assertTrue(redis.set("huge:k", value, SetArgs.none()));
            RedisCall after = redis.send("ECHO", "after");
            assertArrayEquals(value, redis.getBytes("huge:k"));
            assertEquals("before", before.await().asString());
            assertEquals("after", after.await().asString(), "commands around a huge one keep their replies");
        } finally {
            redis.del("huge:k");
            closeAndWait(redis);
        }
    }

    @BoucleTest
    void valuesAreBinarySafeAndStringsAreUtf8() throws Exception {
        byte[] every = new byte[256];
        for (int i = 0; i < 256; i++) {
            every[i] = (byte) i;
        }
        String text = "naïve ☃ 𝄞 \r\n$3\r\n*0";
        RedisClient redis = connect(shared, RedisOptions.defaults());
        try {
            redis.set("bin:k", every, SetArgs.none());
            assertArrayEquals(every, redis.getBytes("bin:k"));
            redis.set("utf8:k", text);
            assertEquals(text, redis.get("utf8:k"));
            assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), redis.getBytes("utf8:k"), "stored as UTF-8");
            assertEquals(text.getBytes(StandardCharsets.UTF_8).length, redis.command("STRLEN", "utf8:k").asLong());
            assertArrayEquals(every, redis.command(List.of("ECHO", every)).asBytes(), "binary arguments");
        } finally {
            redis.del("bin:k", "utf8:k");
            closeAndWait(redis);
        }
    }

    @BoucleTest
    void anErrorReplyIsAValueFromCommandAndAnExceptionFromTypedCalls() throws Exception {
        RedisClient redis = connect(shared, RedisOptions.defaults());
        try {
            assertEquals(1, redis.command("HSET", "err:h", "f", "v").asLong());
            RedisValue error = redis.command("GET", "err:h");
            assertInstanceOf(RedisValue.Error.class, error);
            assertEquals("WRONGTYPE", ((RedisValue.Error) error).code());
            RedisErrorReplyException thrown = assertThrows(RedisErrorReplyException.class, () -> redis.get("err:h"));
            assertTrue(thrown.getMessage().contains("WRONGTYPE"), thrown.getMessage());
            assertEquals("v", redis.command("HGET", "err:h", "f").asString(), "the link is fine after an error");
        } finally {
            redis.del("err:h");
            closeAndWait(redis);
        }
    }

    @BoucleTest
    void theUrisDatabaseIsSelectedOnConnect() throws Exception {
        RedisClient db0 = connect(shared, RedisOptions.defaults());
        RedisClient db3 = RedisClient.connect(RedisUri.parse(shared.uri() + "/3"), RedisOptions.defaults());
        try {
            db3.set("db:k", "three");
            assertNull(db0.get("db:k"));
            assertEquals("three", db3.get("db:k"));
        } finally {
            db3.del("db:k");
            closeAndWait(db0);
            closeAndWait(db3);
        }
    }

    @BoucleTest
    void aPasswordIsSentAndAWrongOneIsRefusedClearly() throws Exception {
        try (RedisServerProcess guarded = RedisServerProcess.start(List.of("--requirepass", "s3cret"))) {
            RedisClient redis = RedisClient.connect(RedisUri.parse("redis://:s3cret@127.0.0.1:" + guarded.port()),
                    RedisOptions.defaults());
            try {
                assertEquals("PONG", redis.command("PING").asString());
            } finally {
                closeAndWait(redis);
            }
            RedisUnavailableException refused = assertThrows(RedisUnavailableException.class, () -> RedisClient.connect(
                    RedisUri.parse("redis://:wrong@127.0.0.1:" + guarded.port()), RedisOptions.defaults()));
            assertTrue(refused.getMessage().contains("refused AUTH"), refused.getMessage());
            assertFalse(refused.getMessage().contains("wrong"), "the password stays out of messages: " + refused.getMessage());
        }
    }

    @BoucleTest
    void connectingToNothingFailsNamingTheAddress() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        RedisUnavailableException refused = assertThrows(RedisUnavailableException.class,
                () -> RedisClient.connect("redis://127.0.0.1:" + port));
        assertTrue(refused.getMessage().contains("127.0.0.1:" + port), refused.getMessage());
    }

    @BoucleTest(timeoutMillis = 20_000)
    void redisKilledMidCommandFailsItThenTheClientReconnectsAndWorks() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            RedisClient client = connect(redis, RedisOptions.defaults().backoff(Duration.ofMillis(20), Duration.ofMillis(200)));
            try {
                client.set("k", "v");
                RedisCall blocked = client.send("BLPOP", "never", "0"); // waits in Redis until it dies
                Boucle.sleep(Duration.ofMillis(50)); // let it reach Redis
                redis.kill();
                RedisUnavailableException lost = assertThrows(RedisUnavailableException.class, blocked::await);
                assertTrue(lost.getMessage().contains(redis.address().getPort() + ""), lost.getMessage());
                if (client.isLinked()) {
                    assertFalse(client.awaitLinkChange());
                }
                assertFalse(client.isLinked());
                assertThrows(RedisUnavailableException.class, () -> client.get("k"), "while down: at once, not queued");
                redis.restart();
                assertTrue(client.awaitLinkChange(), "back on its own");
                assertTrue(client.isLinked());
                assertNull(client.get("k"), "a restarted Redis without persistence is empty");
                client.set("k", "again");
                assertEquals("again", client.get("k"));
            } finally {
                closeAndWait(client);
            }
        }
    }

    @BoucleTest(timeoutMillis = 30_000)
    void aKillUnderPipeliningFailsEveryWaitingTaskAndAllWorkAgainAfterTheRestart() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            RedisClient client = connect(redis, RedisOptions.defaults().backoff(Duration.ofMillis(20), Duration.ofMillis(200)));
            try {
                List<Task<String>> tasks = new ArrayList<>();
                for (int t = 0; t < 100; t++) {
                    String key = "kill:" + t;
                    tasks.add(Boucle.spawn(() -> {
                        try {
                            for (int i = 0; ; i++) {
                                client.set(key, Integer.toString(i));
                            }
                        } catch (RedisUnavailableException lost) {
                            return "lost";
                        }
                    }));
                }
                Boucle.sleep(Duration.ofMillis(200)); // the pipeline is full
                redis.kill();
                for (Task<String> task : tasks) {
                    assertEquals("lost", task.await(), "every waiting task was told, none hangs");
                }
                redis.restart();
                while (!client.isLinked()) {
                    client.awaitLinkChange();
                }
                List<Task<String>> again = new ArrayList<>();
                for (int t = 0; t < 100; t++) {
                    String key = "kill:" + t;
                    again.add(Boucle.spawn(() -> {
                        client.set(key, "back");
                        return client.get(key);
                    }));
                }
                for (Task<String> task : again) {
                    assertEquals("back", task.await());
                }
            } finally {
                closeAndWait(client);
            }
        }
    }

    @BoucleTest(timeoutMillis = 30_000)
    void aReplyCutInTheMiddleOfAHugeBulkLeaksNothing() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            RedisClient client = connect(redis, RedisOptions.defaults().commandTimeout(Duration.ofSeconds(20))
                    .backoff(Duration.ofSeconds(30), Duration.ofSeconds(30)));
            try {
                client.set("huge", HUGE, SetArgs.none());
                List<RedisCall> gets = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    gets.add(client.send("GET", "huge"));
                }
                Boucle.sleep(Duration.ofMillis(30)); // replies are streaming in
                redis.kill();
                int cut = 0;
                for (RedisCall get : gets) {
                    try {
                        assertArrayEquals(HUGE, get.await().asBytes());
                    } catch (RedisUnavailableException lost) {
                        cut++;
                    }
                }
                assertTrue(cut > 0, "the kill cut at least the last reply");
                // the PARANOID leak check after the test finds the partial bulk's buffers released
            } finally {
                closeAndWait(client);
            }
        }
    }

    @BoucleTest(timeoutMillis = 20_000)
    void aCommandTimesOutWhileRedisIsPausedAndTheLinkIsKept() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            RedisClient client = connect(redis, RedisOptions.defaults().commandTimeout(Duration.ofMillis(300)));
            try {
                client.set("k", "before");
                redis.pause();
                long started = System.nanoTime();
                RedisTimeoutException late = assertThrows(RedisTimeoutException.class, () -> client.get("k"));
                assertTrue(System.nanoTime() - started >= Duration.ofMillis(300).toNanos() * 9 / 10);
                assertTrue(late.getMessage().contains("300 ms"), late.getMessage());
                assertEquals(1, client.pendingCommands(), "the timed-out command still waits for its reply");
                redis.resume();
                assertEquals("before", client.command("ECHO", "before").asString(),
                        "the late reply was dropped: the next command gets its own");
                assertEquals(0, client.pendingCommands());
                assertTrue(client.isLinked());
            } finally {
                closeAndWait(client);
            }
        }
    }

    @BoucleTest(timeoutMillis = 20_000)
    void aStalledRedisIsTakenAsLostWhenItAnswersNoPingAndTheLinkReturnsWhenItResumes() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            RedisClient client = connect(redis, RedisOptions.defaults().pingInterval(Duration.ofMillis(200))
                    .commandTimeout(Duration.ofMillis(300)).connectTimeout(Duration.ofMillis(300))
                    .backoff(Duration.ofMillis(20), Duration.ofMillis(100)));
            try {
                client.set("k", "v");
                redis.pause(); // no reset, no end of stream: only silence
                long stalledAt = System.nanoTime();
                assertFalse(client.awaitLinkChange(), "silence, an unanswered PING: lost");
                long noticedMillis = (System.nanoTime() - stalledAt) / 1_000_000;
                assertTrue(noticedMillis >= 400, "not before ping interval + command timeout: " + noticedMillis + " ms");
                assertThrows(RedisUnavailableException.class, () -> client.get("k"));
                redis.resume();
                assertTrue(client.awaitLinkChange(), "back once Redis answers the connection's PING");
                assertEquals("v", client.get("k"), "the same Redis, its data kept");
            } finally {
                closeAndWait(client);
            }
        }
    }

    @BoucleTest
    void aQuietLinkIsCheckedWithPingsAndStaysUp() throws Exception {
        RedisClient redis = connect(shared, RedisOptions.defaults().pingInterval(Duration.ofMillis(50)));
        try {
            long before = pingsServed(redis);
            Boucle.sleep(Duration.ofMillis(400));
            assertTrue(redis.isLinked());
            assertTrue(pingsServed(redis) - before >= 2, "an idle link is pinged, and the answers keep it up");
            // a ping may be in flight at any instant (one every 50 ms); its reply is taken, so the count comes back to 0
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (redis.pendingCommands() > 0 && System.nanoTime() < deadline) {
                Boucle.sleep(Duration.ofMillis(2));
            }
            assertEquals(0, redis.pendingCommands(), "the pings' replies were taken in their turn");
            assertEquals("PONG", redis.command("PING").asString());
        } finally {
            closeAndWait(redis);
        }
    }

    /** How many PINGs Redis has served, from {@code INFO commandstats}. */
    private static long pingsServed(RedisClient redis) throws RedisException {
        String stats = redis.command("INFO", "commandstats").asString();
        return stats.lines().filter(line -> line.startsWith("cmdstat_ping:calls=")).findFirst()
                .map(line -> Long.parseLong(line.substring("cmdstat_ping:calls=".length(), line.indexOf(','))))
                .orElse(0L);
    }

    @BoucleTest(timeoutMillis = 20_000)
    void pastTheQueueBoundACommandFailsAtOnceWithoutSendingIt() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            RedisClient client = connect(redis, RedisOptions.defaults().maxPendingCommands(5));
            try {
                redis.pause();
                List<RedisCall> queued = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    queued.add(client.send("INCR", "n"));
                }
                assertThrows(RedisOverloadedException.class, () -> client.send("INCR", "n"));
                assertThrows(RedisOverloadedException.class, () -> client.get("n"));
                redis.resume();
                for (int i = 0; i < 5; i++) {
                    assertEquals(i + 1, queued.get(i).await().asLong());
                }
                assertEquals("5", client.get("n"), "the refused ones were never sent");
            } finally {
                closeAndWait(client);
            }
        }
    }

    @BoucleTest
    void callsFromAnotherThreadAreRefusedBeforeAnyChange() throws Exception {
        RedisClient redis = connect(shared, RedisOptions.defaults());
        try {
            List<Throwable> refused = Boucle.runInThread(() -> {
                List<Throwable> failures = new ArrayList<>();
                for (ThrowingCall call : List.<ThrowingCall>of(() -> redis.send("SET", "thread:k", "v"),
                        () -> redis.get("thread:k"), () -> {
                            redis.close();
                            return null;
                        }, redis::isLinked, redis::pendingCommands)) {
                    try {
                        call.run();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
                return failures;
            });
            assertEquals(5, refused.size());
            for (Throwable e : refused) {
                assertInstanceOf(IllegalStateException.class, e);
                assertTrue(e.getMessage().contains("another thread"), e.getMessage());
            }
            assertEquals(0, redis.pendingCommands());
            assertTrue(redis.isLinked(), "the refused close changed nothing");
            assertNull(redis.get("thread:k"), "the refused SET was never sent");
        } finally {
            closeAndWait(redis);
        }
    }

    @BoucleTest
    void closeFailsWhatWaitsAndRefusesLaterCalls() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            RedisClient client = connect(redis, RedisOptions.defaults());
            RedisCall waiting = client.send("BLPOP", "never", "0");
            client.close();
            assertThrows(RedisUnavailableException.class, waiting::await);
            RedisUnavailableException later = assertThrows(RedisUnavailableException.class, () -> client.get("k"));
            assertTrue(later.getMessage().contains("closed"), later.getMessage());
            assertFalse(client.isLinked());
            client.close(); // idempotent
            client.awaitClosed();
        }
    }

    /** A fake server on a plain thread: answers the first command with {@code first}, the second with {@code second}. */
    private static Task<Void> fakeServer(ServerSocket listener, String first, String second) {
        return Boucle.spawn(() -> Boucle.runInThread(() -> {
            try (var socket = listener.accept()) {
                for (String answer : new String[] {first, second}) {
                    if (answer == null || socket.getInputStream().read(new byte[64]) < 0) {
                        break;
                    }
                    socket.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                }
                socket.shutdownOutput(); // the client reads the end of the stream after the answers
                socket.getInputStream().read(new byte[64]); // until the client hangs up
            }
            return null;
        }));
    }

    @BoucleTest
    void garbageFromTheServerDropsTheLinkWithAProtocolError() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Task<Void> server = fakeServer(fake, "+PONG\r\n", "HTTP/1.1 400 Bad Request\r\n\r\n");
            RedisClient client = RedisClient.connect(RedisUri.of("127.0.0.1", fake.getLocalPort()),
                    RedisOptions.defaults().backoff(Duration.ofSeconds(30), Duration.ofSeconds(30)));
            try {
                RedisUnavailableException dropped = assertThrows(RedisUnavailableException.class,
                        () -> client.command("GET", "k"));
                assertInstanceOf(RedisProtocolException.class, dropped.getCause(), dropped.toString());
                assertTrue(dropped.getMessage().contains("RESP2 type"), dropped.getMessage());
                assertFalse(client.isLinked());
                server.await();
            } finally {
                closeAndWait(client);
            }
        }
    }

    @BoucleTest
    void aConnectionThatEndsInTheMiddleOfAReplyFailsItAndLeaksNothing() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Task<Void> server = fakeServer(fake, "+PONG\r\n", "$5"); // half a bulk's header, then the end
            RedisClient client = RedisClient.connect(RedisUri.of("127.0.0.1", fake.getLocalPort()),
                    RedisOptions.defaults().backoff(Duration.ofSeconds(30), Duration.ofSeconds(30)));
            try {
                RedisUnavailableException cut = assertThrows(RedisUnavailableException.class, () -> client.get("k"));
                assertTrue(cut.getMessage().contains("closed the connection"), cut.getMessage());
                server.await();
                // the PARANOID leak check after the test: the half line the reader kept was released
            } finally {
                closeAndWait(client);
            }
        }
    }

    @BoucleTest
    void connectingToAServerThatIsNotRedisFailsSayingSo() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Task<Void> server = fakeServer(fake, "SSH-2.0-OpenSSH_9.2\r\n", null);
            RedisUnavailableException refused = assertThrows(RedisUnavailableException.class,
                    () -> RedisClient.connect(RedisUri.of("127.0.0.1", fake.getLocalPort()), RedisOptions.defaults()));
            assertTrue(refused.getMessage().contains("127.0.0.1:" + fake.getLocalPort()), refused.getMessage());
            assertTrue(refused.getMessage().contains("does not speak RESP"), refused.getMessage());
            server.await();
        }
    }

    @FunctionalInterface
    private interface ThrowingCall {
        Object run() throws Exception;
    }
}
