package boucle.redis;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Against a real redis-server; the fault tests start one of their own. */
class RedisSubscriberTest {
    private static final RedisOptions QUICK = RedisOptions.defaults().backoff(Duration.ofMillis(20), Duration.ofMillis(200));
    private static RedisServerProcess shared;

    @BeforeAll
    static void startRedis() throws IOException {
        shared = RedisServerProcess.start();
    }

    @AfterAll
    static void stopRedis() throws IOException {
        shared.close();
    }

    private static RedisUri uri(RedisServerProcess redis) {
        return RedisUri.parse(redis.uri());
    }

    private static void closeAll(RedisSubscriber sub, RedisClient client) {
        sub.close();
        client.close();
        sub.awaitClosed();
        client.awaitClosed();
    }

    private static RedisEvent.Message message(String channel, String payload) {
        return new RedisEvent.Message(channel, payload);
    }

    @BoucleTest
    void publishedMessagesArriveInOrderWithTheirChannel() throws Exception {
        RedisSubscriber sub = RedisSubscriber.connect(uri(shared), RedisOptions.defaults());
        RedisClient redis = RedisClient.connect(uri(shared), RedisOptions.defaults());
        try {
            sub.subscribe("order:a", "order:b");
            assertEquals(Set.of("order:a", "order:b"), sub.channels());
            for (int i = 0; i < 1_000; i++) {
                redis.send("PUBLISH", i % 2 == 0 ? "order:a" : "order:b", "line " + i);
            }
            assertEquals(1, redis.publish("order:a", "naïve ☃ 𝄞"), "one subscriber received it");
            for (int i = 0; i < 1_000; i++) {
                assertEquals(message(i % 2 == 0 ? "order:a" : "order:b", "line " + i), sub.receive());
            }
            assertEquals(message("order:a", "naïve ☃ 𝄞"), sub.receive(), "payloads are UTF-8");
            assertNull(sub.poll());
        } finally {
            closeAll(sub, redis);
        }
    }

    @BoucleTest
    void aPatternSubscriptionGivesTheChannelEachMessageWasPublishedOn() throws Exception {
        RedisSubscriber sub = RedisSubscriber.connect(uri(shared), RedisOptions.defaults());
        RedisClient redis = RedisClient.connect(uri(shared), RedisOptions.defaults());
        try {
            sub.psubscribe("pattern:room:*");
            redis.publish("pattern:room:1", "one");
            redis.publish("pattern:other", "not for us");
            redis.publish("pattern:room:2", "two");
            assertEquals(message("pattern:room:1", "one"), sub.receive());
            assertEquals(message("pattern:room:2", "two"), sub.receive());
            sub.punsubscribe("pattern:room:*");
            assertEquals(Set.of(), sub.patterns());
        } finally {
            closeAll(sub, redis);
        }
    }

    @BoucleTest
    void afterUnsubscribeNoMoreMessagesOfThatChannelAreDelivered() throws Exception {
        RedisSubscriber sub = RedisSubscriber.connect(uri(shared), RedisOptions.defaults());
        RedisClient redis = RedisClient.connect(uri(shared), RedisOptions.defaults());
        try {
            sub.subscribe("unsub:a", "unsub:b");
            redis.publish("unsub:a", "1");
            assertEquals(message("unsub:a", "1"), sub.receive());
            sub.unsubscribe("unsub:a");
            redis.publish("unsub:a", "2");   // sent after: even if Redis is slow to drop it, it is not delivered
            redis.publish("unsub:b", "3");
            assertEquals(message("unsub:b", "3"), sub.receive());
            assertEquals(0, redis.publish("unsub:a", "4"), "Redis dropped the subscription too");
        } finally {
            closeAll(sub, redis);
        }
    }

    @BoucleTest(timeoutMillis = 20_000)
    void aRedisRestartedOnTheSamePortGivesLinkLostThenLinkBackAndMessagesFlowAgain() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            RedisSubscriber sub = RedisSubscriber.connect(uri(redis), QUICK);
            RedisClient client = RedisClient.connect(uri(redis), QUICK);
            try {
                sub.subscribe("room:lobby");
                sub.psubscribe("room:*:private");
                client.publish("room:lobby", "before");
                assertEquals(message("room:lobby", "before"), sub.receive());
                redis.kill();
                RedisEvent lost = sub.receive();
                assertInstanceOf(RedisEvent.LinkLost.class, lost);
                assertFalse(sub.isLinked());
                redis.restart();
                assertEquals(new RedisEvent.LinkBack(), sub.receive(), "back once every subscription is made again");
                assertTrue(sub.isLinked());
                while (!client.isLinked()) {
                    client.awaitLinkChange();
                }
                assertEquals(1, client.publish("room:lobby", "after"), "subscribed again before LinkBack");
                assertEquals(1, client.publish("room:7:private", "pattern too"));
                assertEquals(message("room:lobby", "after"), sub.receive());
                assertEquals(message("room:7:private", "pattern too"), sub.receive());
            } finally {
                closeAll(sub, client);
            }
        }
    }

    @BoucleTest(timeoutMillis = 20_000)
    void aStalledRedisGivesLinkLostAfterAnUnansweredPingAndLinkBackWhenItResumes() throws Exception {
        RedisOptions watchful = QUICK.pingInterval(Duration.ofMillis(200)).commandTimeout(Duration.ofMillis(300))
                .connectTimeout(Duration.ofMillis(300));
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            RedisSubscriber sub = RedisSubscriber.connect(uri(redis), watchful);
            RedisClient client = RedisClient.connect(uri(redis), QUICK);
            try {
                sub.subscribe("stall");
                redis.pause();
                RedisEvent lost = sub.receive();
                assertInstanceOf(RedisEvent.LinkLost.class, lost);
                assertTrue(((RedisEvent.LinkLost) lost).cause().getMessage().contains("not even PING"), lost.toString());
                redis.resume();
                assertEquals(new RedisEvent.LinkBack(), sub.receive());
                assertEquals(1, client.publish("stall", "over"));
                assertEquals(message("stall", "over"), sub.receive());
            } finally {
                closeAll(sub, client);
            }
        }
    }

    @BoucleTest(timeoutMillis = 20_000)
    void aSubscriptionMadeWhileDownFailsButStandsAndIsMadeWhenTheLinkIsBack() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            RedisSubscriber sub = RedisSubscriber.connect(uri(redis), QUICK);
            RedisClient client = RedisClient.connect(uri(redis), QUICK);
            try {
                redis.kill();
                assertInstanceOf(RedisEvent.LinkLost.class, sub.receive());
                RedisUnavailableException down = assertThrows(RedisUnavailableException.class,
                        () -> sub.subscribe("late"));
                assertTrue(down.getMessage().contains("stands"), down.getMessage());
                redis.restart();
                assertEquals(new RedisEvent.LinkBack(), sub.receive());
                while (!client.isLinked()) {
                    client.awaitLinkChange();
                }
                assertEquals(1, client.publish("late", "made"));
                assertEquals(message("late", "made"), sub.receive());
            } finally {
                closeAll(sub, client);
            }
        }
    }

    @BoucleTest(timeoutMillis = 20_000)
    void aSlowReaderHoldsAtMostTheBoundAndLosesNothing() throws Exception {
        RedisSubscriber sub = RedisSubscriber.connect(uri(shared), RedisOptions.defaults().maxQueuedEvents(10));
        RedisClient redis = RedisClient.connect(uri(shared), RedisOptions.defaults());
        try {
            sub.subscribe("slow");
            for (int i = 0; i < 500; i++) {
                redis.send("PUBLISH", "slow", "m" + i);
            }
            redis.command("PING"); // every PUBLISH has been handled by Redis
            for (int waited = 0; sub.queuedEvents() < 10 && waited < 1_000; waited++) {
                Boucle.sleep(Duration.ofMillis(5)); // the messages are on their way on another socket
            }
            Boucle.waitAllTasksBlocked();
            assertEquals(10, sub.queuedEvents(), "the subscriber stopped reading at the bound");
            for (int i = 0; i < 500; i++) {
                assertEquals(message("slow", "m" + i), sub.receive());
                assertTrue(sub.queuedEvents() <= 10);
            }
        } finally {
            closeAll(sub, redis);
        }
    }

    @BoucleTest(timeoutMillis = 20_000)
    void aSubscriptionRedisDoesNotConfirmInTimeTimesOutAndStands() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            RedisSubscriber sub = RedisSubscriber.connect(uri(redis), QUICK.commandTimeout(Duration.ofMillis(200)));
            RedisClient client = RedisClient.connect(uri(redis), QUICK);
            try {
                redis.pause();
                assertThrows(RedisTimeoutException.class, () -> sub.subscribe("paused"));
                redis.resume();
                sub.subscribe("paused"); // already confirmed meanwhile, or confirmed now
                assertEquals(1, client.publish("paused", "now"));
                assertEquals(message("paused", "now"), sub.receive());
            } finally {
                closeAll(sub, client);
            }
        }
    }

    @BoucleTest
    void closeWakesAReceiverWithUnavailableAndRefusesLaterCalls() throws Exception {
        RedisSubscriber sub = RedisSubscriber.connect(uri(shared), RedisOptions.defaults());
        sub.subscribe("closing");
        Task<Throwable> receiver = Boucle.spawn(() -> {
            try {
                sub.receive();
                return null;
            } catch (RedisUnavailableException e) {
                return e;
            }
        });
        Boucle.waitAllTasksBlocked();
        sub.close();
        assertInstanceOf(RedisUnavailableException.class, receiver.await());
        assertThrows(RedisUnavailableException.class, () -> sub.subscribe("again"));
        assertFalse(sub.isLinked());
        sub.awaitClosed();
    }

    @BoucleTest
    void callsFromAnotherThreadAreRefusedBeforeAnyChange() throws Exception {
        RedisSubscriber sub = RedisSubscriber.connect(uri(shared), RedisOptions.defaults());
        try {
            List<Throwable> refused = Boucle.runInThread(() -> {
                List<Throwable> failures = new ArrayList<>();
                List<Runnable> calls = List.of(
                        () -> call(() -> {
                            sub.subscribe("thread");
                            return null;
                        }),
                        () -> call(() -> {
                            sub.unsubscribe("thread");
                            return null;
                        }),
                        () -> call(sub::poll),
                        sub::close);
                for (Runnable call : calls) {
                    try {
                        call.run();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
                return failures;
            });
            assertEquals(4, refused.size());
            refused.forEach(e -> assertInstanceOf(IllegalStateException.class, e));
            assertEquals(Set.of(), sub.channels(), "the refused subscribe changed nothing");
            assertTrue(sub.isLinked(), "the refused close changed nothing");
        } finally {
            sub.close();
            sub.awaitClosed();
        }
    }

    private static void call(ThrowingCall call) {
        try {
            call.run();
        } catch (RedisException e) {
            throw new AssertionError("expected a refusal for the thread, got " + e, e);
        }
    }

    @FunctionalInterface
    private interface ThrowingCall {
        Object run() throws RedisException;
    }
}
