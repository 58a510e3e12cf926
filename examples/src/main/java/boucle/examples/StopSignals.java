package boucle.examples;

import boucle.net.AsyncServer;
import boucle.net.LoopGroup;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C and {@code kill} for a server process: the first SIGINT or SIGTERM starts the server's
 * graceful shutdown ({@link LoopGroup#shutdownGracefully()}, or {@link AsyncServer#shutdownThreadsafe()}), after which {@code serveForever}
 * returns and the process exits 0; a second one, for a shutdown that takes too long, ends the
 * process at once with the shell's status for that signal (130 or 143).
 *
 * <h2>Why {@code sun.misc.Signal}</h2>
 * A shutdown hook runs only once the JVM is already exiting, with status 130 or 143 decided, and
 * must then wait for the loop from inside the exit; it also cannot tell a first signal from a
 * second. {@code sun.misc.Signal} (module {@code jdk.unsupported}, exported, in every JDK since 1.2
 * and still there in 25) replaces the JVM's own handling of the signal: its handler runs on a JVM
 * thread of its own, where the only thing it does to the server is its one thread-safe call.
 *
 * <h2>An ignored SIGINT stays ignored</h2>
 * A process started as a background job of a shell without job control ({@code cmd &} in a
 * script, {@code nohup}...) inherits SIGINT as ignored, so that a Ctrl-C at the terminal does not
 * reach it; the JVM then refuses to install a handler for it, and a {@code kill -INT} does nothing.
 * The server says so at start: stop it with SIGTERM, or start it with SIGINT at its default
 * ({@code env --default-signal=INT ...}).
 */
final class StopSignals {
    private final String name;
    /** Starts the graceful shutdown; thread-safe, never blocks. */
    private final Runnable shutdown;
    private final IntConsumer halt;
    private final AtomicInteger received = new AtomicInteger();

    StopSignals(String name, AsyncServer server, IntConsumer halt) {
        this(name, (Runnable) server::shutdownThreadsafe, halt);
    }

    StopSignals(String name, Runnable shutdown, IntConsumer halt) {
        this.name = name;
        this.shutdown = shutdown;
        this.halt = halt;
    }

    /** Installs the handlers of SIGINT and SIGTERM for {@code group}: its servers drain, then its loops end. */
    static void install(String name, LoopGroup group) {
        StopSignals signals = new StopSignals(name, (Runnable) group::shutdownGracefully,
                status -> Runtime.getRuntime().halt(status));
        for (String signal : new String[] {"INT", "TERM"}) {
            SignalHandler before = Signal.handle(new Signal(signal),
                    caught -> signals.received(caught.getName(), caught.getNumber()));
            if (before == SignalHandler.SIG_IGN) { // inherited as ignored: the JVM kept it so (see above)
                System.err.println(name + ": SIG" + signal + " is ignored by this process (as a background job's"
                        + " is): it will not stop the server; SIG" + (signal.equals("INT") ? "TERM" : "KILL") + " will");
            }
        }
    }

    /** A signal came, on the JVM's signal thread: the first asks for the shutdown, the next halts. */
    void received(String signal, int number) {
        if (received.getAndIncrement() == 0) {
            System.err.println(name + ": SIG" + signal + ": shutting down (again to stop at once)");
            shutdown.run();
        } else {
            System.err.println(name + ": SIG" + signal + " again: stopping now");
            halt.accept(128 + number);
        }
    }
}
