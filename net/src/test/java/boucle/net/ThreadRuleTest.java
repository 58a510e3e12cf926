package boucle.net;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boucle.core.Task;
import boucle.test.LineClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The thread rule of the package ({@link boucle.core.Loop#requireThisThread}): every public method of the socket, the
 * listener and the server, called from a foreign thread while the loop runs, is either declared
 * safe from any thread or refused before it changes anything, so the objects still work after.
 * The methods come from reflection, so a new one cannot be forgotten.
 */
class ThreadRuleTest {
    /** The methods documented as safe from any thread; every other public method must refuse. */
    private static final Set<String> ANY_THREAD = Set.of(
            "AsyncSocket.localAddress", "AsyncSocket.remoteAddress", "AsyncSocket.toString",
            "AsyncServerSocket.localAddress", "AsyncServerSocket.port", "AsyncServerSocket.toString",
            "AsyncServer.port", "AsyncServer.localAddress", "AsyncServer.toString",
            "AsyncServer.shutdownThreadsafe"); // called last, on its own: it stops the server

    @Test
    void everyPublicMethodFromAForeignThreadIsSafeOrRefusedBeforeAnyChange() throws Exception {
        CompletableFuture<AsyncSocket> handled = new CompletableFuture<>();
        try (BackgroundServer server = BackgroundServer.start(AsyncServer.builder(connection -> {
            handled.complete(connection);
            for (ByteBuf bytes; (bytes = connection.read()) != null; ) {
                connection.write(bytes);
            }
        })); Socket client = LineClient.openSocket(server.port())) {
            AsyncServerSocket listener = AsyncServerSocket.bind("127.0.0.1", 0, 8);
            try {
                walkAndCheck(server, listener, client, handled);
            } finally {
                // on a failure, its parked accept would keep the server's loop running (after, the loop closed it)
                server.loop().callSoonThreadsafe(listener::close);
            }
        }
    }

    private static void walkAndCheck(BackgroundServer server, AsyncServerSocket listener, Socket client,
            CompletableFuture<AsyncSocket> handled) throws Exception {
        {
            AsyncSocket socket = handled.get(10, TimeUnit.SECONDS);
            Task<AsyncSocket> accepting = server.background().call(() -> server.loop().spawn(listener::accept));
            awaitParked(server, accepting);
            awaitParked(server, server.background().call(() -> server.loop().tasks().stream()
                    .filter(task -> task.name().startsWith("connection")).findFirst().orElseThrow()));

            Map<String, String> outcomes = new LinkedHashMap<>();
            outcomes.putAll(walk(AsyncSocket.class, socket));
            outcomes.putAll(walk(AsyncServerSocket.class, listener));
            outcomes.putAll(walk(AsyncServer.class, server.server()));
            List<String> wrong = new ArrayList<>();
            outcomes.forEach((method, outcome) -> {
                boolean safe = ANY_THREAD.contains(method.substring(0, method.indexOf('(')));
                if (safe ? !outcome.equals("ran") : !outcome.contains("callSoonThreadsafe")) {
                    wrong.add(method + " -> " + outcome);
                }
            });
            assertEquals(List.of(), wrong, "safe from any thread, or refused with advice");
            assertTrue(outcomes.size() > 35, "the walk saw every public method: " + outcomes.keySet());

            // nothing changed: the socket echoes, its handler still reads, the listener accepts, the server serves
            client.getOutputStream().write("ping\n".getBytes(UTF_8));
            assertEquals("ping", new BufferedReader(new InputStreamReader(client.getInputStream(), UTF_8)).readLine());
            try (Socket toListener = new Socket("127.0.0.1", listener.port())) {
                AsyncSocket accepted = awaitDone(server, accepting);
                assertEquals(toListener.getLocalPort(), ((java.net.InetSocketAddress) accepted.remoteAddress()).getPort());
                server.background().call(() -> {
                    accepted.close();
                    return null;
                });
            }
            assertEquals(1, server.connectionCount());
            try (Socket another = LineClient.openSocket(server.port())) {
                another.getOutputStream().write("pong\n".getBytes(UTF_8));
                assertEquals("pong", new BufferedReader(new InputStreamReader(another.getInputStream(), UTF_8)).readLine());
            }
            server.server().shutdownThreadsafe().get(10, TimeUnit.SECONDS);
            server.awaitStopped();
        }
    }

    /** Calls every public instance method {@code type} declares on {@code target}, from this (foreign) thread. */
    private static Map<String, String> walk(Class<?> type, Object target) {
        Map<String, String> outcomes = new LinkedHashMap<>();
        Method[] methods = type.getDeclaredMethods();
        Arrays.sort(methods, Comparator.comparing(Method::toString));
        for (Method method : methods) {
            if (!Modifier.isPublic(method.getModifiers()) || Modifier.isStatic(method.getModifiers())
                    || method.isSynthetic() || method.getName().equals("shutdownThreadsafe")) {
                continue; // statics are factories (bind, connect, builder); shutdownThreadsafe would stop it all
            }
            String name = type.getSimpleName() + "." + method.getName()
                    + Arrays.toString(method.getParameterTypes()).replace('[', '(').replace(']', ')');
            outcomes.put(name, invoke(method, target));
        }
        outcomes.put("AsyncServer.shutdownThreadsafe()", "ran"); // covered at the end of the test
        return outcomes;
    }

    private static String invoke(Method method, Object target) {
        Object[] args = new Object[method.getParameterCount()];
        List<ByteBuf> buffers = new ArrayList<>();
        Class<?>[] types = method.getParameterTypes();
        for (int i = 0; i < args.length; i++) {
            args[i] = argument(types[i], buffers);
        }
        try {
            method.invoke(target, args);
            return "ran";
        } catch (InvocationTargetException e) {
            return e.getCause() instanceof IllegalStateException refused ? refused.getMessage() : "failed: " + e.getCause();
        } catch (IllegalAccessException e) {
            return "not accessible: " + e;
        } finally {
            for (ByteBuf buffer : buffers) {
                assertEquals(1, buffer.refCnt(), method + " took a buffer it then refused");
                buffer.release();
            }
        }
    }

    private static Object argument(Class<?> type, List<ByteBuf> buffers) {
        if (type == int.class) {
            return 1024;
        }
        if (type == String.class) {
            return "x";
        }
        if (type == Duration.class) {
            return Duration.ofSeconds(1);
        }
        if (type == byte[].class) {
            return new byte[] {'x'};
        }
        if (type == ByteBuf.class) {
            ByteBuf buffer = Unpooled.buffer(16).writeByte('x');
            buffers.add(buffer);
            return buffer;
        }
        if (type == TlsOptions.class) {
            try {
                return TlsOptions.server(javax.net.ssl.SSLContext.getDefault());
            } catch (java.security.GeneralSecurityException e) {
                throw new AssertionError("the JDK has a default TLS context", e);
            }
        }
        throw new AssertionError("no test argument for a parameter of type " + type + ": add one");
    }

    private static void awaitParked(BackgroundServer server, Task<?> task) throws Exception {
        for (int i = 0; i < 100_000 && server.background().call(task::state) != Task.State.PARKED; i++) {
            Thread.onSpinWait();
        }
        assertEquals(Task.State.PARKED, server.background().call(task::state));
    }

    private static <T> T awaitDone(BackgroundServer server, Task<T> task) throws Exception {
        for (int i = 0; i < 100_000 && !server.background().call(task::isDone); i++) {
            Thread.onSpinWait();
        }
        return server.background().call(task::result);
    }
}
