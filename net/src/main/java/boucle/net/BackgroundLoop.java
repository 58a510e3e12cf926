package boucle.net;

import boucle.core.Loop;
import boucle.core.Routine;
import boucle.core.Task;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A selector loop running one body on a thread of its own, driven from other threads: the way to
 * serve in the background of a {@code main} or a test. {@link BackgroundServer} is this with an
 * {@link AsyncServer} as the body.
 *
 * <pre>{@code
 * try (BackgroundLoop clients = BackgroundLoop.start("clients", () -> runClients())) {
 *     int open = clients.call(() -> countOpenSockets());   // runs as a task on the loop
 * }                                                        // cancels the body, waits, rethrows its failure
 * }</pre>
 *
 * <h2>Life</h2>
 * {@link #start} makes the loop on the calling thread (so a missing JVM flag fails there), starts
 * the thread and returns once the loop runs; a loop that fails before that fails {@code start}.
 * The loop runs until its body ends (an idle loop waits for other threads, it does not end), then closes: tasks still alive are cancelled, and every
 * socket registered with its selector is closed. However it ends, {@link #stopped()} completes
 * (exceptionally if the body or the loop failed), and work submitted afterwards fails at once.
 *
 * <p>The thread is a Netty {@link FastThreadLocalThread}, so buffers are recycled as on Netty's own
 * threads; it is a daemon thread: the JVM does not wait for it, so a {@code main} that serves
 * waits with {@link #awaitStopped()}.
 *
 * <p>Threads: every method may be called from any thread. Blocking ones ({@link #call},
 * {@link #close}, {@link #awaitStopped}) must not be called from the loop's own thread.
 */
public final class BackgroundLoop implements AutoCloseable {
    private final Loop loop;
    private final String name;
    private final Thread thread;
    private final Runnable afterStop;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    /** Work submitted and not answered: failed when the loop ends, so no caller waits forever. */
    private final Set<CompletableFuture<?>> unanswered = ConcurrentHashMap.newKeySet();
    private volatile Task<Void> body;
    private volatile boolean ended;

    private BackgroundLoop(String name, Loop loop, Routine body, Runnable afterStop) {
        this.name = name;
        this.loop = loop;
        this.afterStop = afterStop;
        this.thread = new FastThreadLocalThread(() -> run(body), name);
        thread.setDaemon(true);
    }

    /**
     * Starts a {@link Net#newLoop()} loop on a new thread named {@code name}, running {@code body}
     * as its first task; returns once the loop runs. Any thread.
     *
     * @throws IllegalStateException if the JVM lacks {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED},
     *         or if the loop failed before it ran
     */
    public static BackgroundLoop start(String name, Routine body) {
        return start(name, body, () -> { });
    }

    /** {@link #start(String, Routine)}, with {@code afterStop} run on the loop's thread once it has closed. */
    static BackgroundLoop start(String name, Routine body, Runnable afterStop) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
        BackgroundLoop background = new BackgroundLoop(name, Net.newLoop(), body, afterStop);
        background.thread.start();
        try {
            background.started.join();
        } catch (java.util.concurrent.CompletionException failedToStart) {
            throw failure("loop '" + name + "' failed to start", failedToStart.getCause());
        }
        return background;
    }

    private void run(Routine routine) {
        Throwable failure = null;
        try (loop) {
            Task<Void> main = loop.spawn(name, routine);
            body = main;
            main.whenDone(() -> {
                main.exception(); // observed: its failure goes to whoever waits on this handle, not to the log
                loop.stop();
            });
            loop.callSoon(() -> started.complete(null));
            // forever, not until no work is left: a body parked on what another thread will send
            // (through callSoonThreadsafe) is waiting, not stranded
            loop.runForever();
            main.result();
        } catch (Throwable t) { // the body's outcome or the loop's own failure: both go to whoever waits
            failure = t;
        } finally {
            ended = true;
            try {
                afterStop.run();
            } catch (RuntimeException cleanup) {
                failure = addTo(failure, cleanup);
            }
            IllegalStateException gone = new IllegalStateException("loop '" + name + "' has stopped", failure);
            for (CompletableFuture<?> answer : unanswered) {
                answer.completeExceptionally(gone);
            }
            started.completeExceptionally(failure != null ? failure : gone);
            if (failure == null || failure instanceof boucle.core.CancelledException) {
                stopped.complete(null);
            } else {
                stopped.completeExceptionally(failure);
            }
        }
    }

    private static Throwable addTo(Throwable first, Throwable next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** The loop, for {@link Loop#callSoonThreadsafe} (its only method other threads may call). */
    public Loop loop() {
        return loop;
    }

    /** The loop's thread. */
    public Thread thread() {
        return thread;
    }

    /**
     * Runs {@code work} as a task on the loop (it may park: await, sleep, use sockets) and
     * completes the future with its result or failure; fails at once if the loop has stopped.
     * Any thread.
     */
    public <T> CompletableFuture<T> submit(Callable<T> work) {
        Objects.requireNonNull(work, "work");
        CompletableFuture<T> answer = new CompletableFuture<>();
        unanswered.add(answer);
        answer.whenComplete((value, failure) -> unanswered.remove(answer));
        if (ended) { // after add: either this sees the end, or the end sees the answer
            answer.completeExceptionally(new IllegalStateException("loop '" + name + "' has stopped"));
            return answer;
        }
        loop.callSoonThreadsafe(() -> loop.spawn(() -> answerWith(work, answer)));
        return answer;
    }

    /** The task of {@link #submit}: its outcome goes to the waiting thread, not to an awaiter. */
    private static <T> void answerWith(Callable<T> work, CompletableFuture<T> answer) {
        try {
            answer.complete(work.call());
        } catch (VirtualMachineError fatal) {
            answer.completeExceptionally(fatal);
            throw fatal;
        } catch (Throwable failure) { // forwarded, not swallowed: the caller of submit gets it
            answer.completeExceptionally(failure);
        }
    }

    /**
     * {@link #submit}, then waits for the answer: returns the result, or rethrows the failure
     * (checked ones as they were thrown). Not from the loop's own thread, which would wait for itself.
     */
    public <T> T call(Callable<T> work) throws Exception {
        requireOtherThread("call");
        try {
            return submit(work).get();
        } catch (ExecutionException e) {
            throw rethrowable(e.getCause());
        }
    }

    /** Cancels the body (its {@code finally} blocks run), waits for the loop to stop, rethrows its failure. */
    @Override
    public void close() {
        requireOtherThread("close");
        loop.callSoonThreadsafe(() -> {
            Task<Void> main = body;
            if (main != null) {
                main.cancel();
            }
        });
        awaitStopped();
    }

    /** Completes once the loop has stopped and closed: exceptionally with the body's or the loop's failure. */
    public CompletableFuture<Void> stopped() {
        return stopped.copy();
    }

    /** Waits until the loop has stopped; rethrows its failure (unchecked: wrapped if it was checked). */
    public void awaitStopped() {
        requireOtherThread("awaitStopped");
        try {
            stopped.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw failure("loop '" + name + "' failed", e.getCause());
        }
    }

    /** {@link #awaitStopped()} with a limit; {@code false} if the loop still runs after {@code timeout}. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        requireOtherThread("awaitStopped");
        try {
            stopped.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException stillRunning) {
            return false;
        } catch (ExecutionException e) {
            throw failure("loop '" + name + "' failed", e.getCause());
        }
    }

    /** Whether the loop has stopped. */
    public boolean isStopped() {
        return stopped.isDone();
    }

    private void requireOtherThread(String method) {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException(method + "() would wait for its own loop: call it from another thread");
        }
    }

    /** An error as is (a test's AssertionError stays one); anything else wrapped, with its stack kept as the cause. */
    private static RuntimeException failure(String what, Throwable cause) {
        if (cause instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(what + ": " + cause, cause);
    }

    private static Exception rethrowable(Throwable cause) {
        if (cause instanceof Error error) {
            throw error;
        }
        return (Exception) cause;
    }

    @Override
    public String toString() {
        return "BackgroundLoop[" + name + (ended ? ", stopped" : ", running") + "]";
    }
}
