package boucle.examples;

import boucle.net.AsyncServer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import sun.misc.Signal;

/**
 * Ctrl-C and {@code kill} for a server process: the first SIGINT or SIGTERM starts the server's
 * graceful shutdown ({@link AsyncServer#shutdownThreadsafe()}), after which {@code serveForever}
 * returns and the process exits 0; a second one, for a shutdown that takes too long, ends the
 * process at once with the shell's status for that signal (130 or 143).
 *
 * <h2>Why {@code sun.misc.Signal}</h2>
 * A shutdown hook runs only once the JVM is already exiting, with status 130 or 143 decided, and
 * must then wait for the loop from inside the exit; it also cannot tell a first signal from a
 * second. {@code sun.misc.Signal} (module {@code jdk.unsupported}, exported, in every JDK since 1.2
 * and still there in 25) replaces the JVM's own handling of the signal: its handler runs on a JVM
 * thread of its own, where the only thing it does to the server is its one thread-safe call.
 */
final class StopSignals {
    private final String name;
    private final AsyncServer server;
    private final IntConsumer halt;
    private final AtomicInteger received = new AtomicInteger();

    StopSignals(String name, AsyncServer server, IntConsumer halt) {
        this.name = name;
        this.server = server;
        this.halt = halt;
    }

    /** Installs the handlers of SIGINT and SIGTERM for {@code server}. */
    static void install(String name, AsyncServer server) {
        StopSignals signals = new StopSignals(name, server, status -> Runtime.getRuntime().halt(status));
        for (String signal : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(signal), caught -> signals.received(caught.getName(), caught.getNumber()));
        }
    }

    /** A signal came, on the JVM's signal thread: the first asks for the shutdown, the next halts. */
    void received(String signal, int number) {
        if (received.getAndIncrement() == 0) {
            System.err.println(name + ": SIG" + signal + ": shutting down (again to stop at once)");
            server.shutdownThreadsafe();
        } else {
            System.err.println(name + ": SIG" + signal + " again: stopping now");
            halt.accept(128 + number);
        }
    }
}
