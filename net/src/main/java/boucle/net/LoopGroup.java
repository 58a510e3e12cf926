package boucle.net;

import boucle.core.Loop;
import boucle.core.Task;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * N loops, each on its own thread with its own selector: how Boucle uses every core. A
 * connection, and every task started for it, lives on one loop for its whole life; loops share
 * nothing on that path, and what must cross goes through {@link Loop#callSoonThreadsafe} or
 * {@link boucle.core.Boucle#callOn}.
 *
 * <pre>{@code
 * try (LoopGroup group = LoopGroup.start()) {              // one loop per core
 *     GroupServer server = GroupServer.start(group, AsyncServer.builder(Echo::echo).port(7000));
 *     server.whenStopped().join();                         // until group.shutdownGracefully()
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * Loop {@code i} runs on a thread named {@code PREFIX-i} ({@code boucle-loop-0}, ...), a Netty
 * {@link FastThreadLocalThread}, so Netty's per-thread recycling of buffer objects works on every
 * loop. The threads are not daemons: a group that serves keeps the JVM alive until it is shut
 * down, as a server should. Each loop is made on its own thread and runs until the group stops it.
 * Every public method is safe from any thread, except {@link #close()} and
 * {@link #awaitTermination}, which block and so refuse to run on one of the group's loops.
 *
 * <h2>Shutdown</h2>
 * {@link #shutdownGracefully()}: every {@link GroupServer} of the group drains (stops accepting,
 * tells its connections, lets them finish within its grace period, cancels the rest); once all
 * have, every loop stops, cancels the tasks still alive there, runs their {@code finally} blocks,
 * closes its selector, and its thread ends. {@link #close()} does the same and waits for it.
 *
 * <h2>Debugging</h2>
 * {@link #dumpTasksThreadsafe()} lists every loop's tasks under the loop's thread name; the JMX
 * bean {@code boucle.core:type=Loops} already covers every running loop, hence every loop here.
 */
public final class LoopGroup implements AutoCloseable {
    private final String prefix;
    /** What every loop of the group runs on: one backend, since a connection accepted on one loop is served on another. */
    private final Backend backend;
    private final List<Loop> loops;
    private final List<Thread> threads;
    private final Set<GroupServer> servers = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final AtomicInteger running;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final AtomicInteger nextLoop = new AtomicInteger();
    /** Per loop: the submitted tasks' futures not completed yet, failed if the loop ends first. */
    private final List<Set<CompletableFuture<?>>> pending = new ArrayList<>();
    /** Per loop: set once its thread has closed it; a submit that sees it fails at once. */
    private final java.util.concurrent.atomic.AtomicIntegerArray ended;

    private LoopGroup(int size, String prefix, Backend backend) {
        this.prefix = prefix;
        this.backend = backend;
        this.running = new AtomicInteger(size);
        this.ended = new java.util.concurrent.atomic.AtomicIntegerArray(size);
        for (int i = 0; i < size; i++) {
            pending.add(ConcurrentHashMap.newKeySet());
        }
        List<CompletableFuture<Loop>> made = new ArrayList<>();
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            CompletableFuture<Loop> loop = new CompletableFuture<>();
            made.add(loop);
            int index = i;
            Thread thread = new FastThreadLocalThread(() -> runLoop(index, loop), prefix + "-" + i);
            thread.setDaemon(false);
            started.add(thread);
        }
        this.threads = List.copyOf(started);
        threads.forEach(Thread::start);
        this.loops = madeOrStopped(made);
    }

    /**
     * The loops once every thread has made its own, or, if one could not, the loops made are
     * stopped, their threads awaited, and the failure thrown: no thread is left running.
     */
    private List<Loop> madeOrStopped(List<CompletableFuture<Loop>> made) {
        RuntimeException failed = null;
        for (CompletableFuture<Loop> loop : made) {
            try {
                loop.join();
            } catch (java.util.concurrent.CompletionException cannotStart) {
                if (failed == null) {
                    failed = cannotStart.getCause() instanceof RuntimeException cause ? cause : cannotStart;
                }
            }
        }
        if (failed == null) {
            return made.stream().map(CompletableFuture::join).toList();
        }
        for (CompletableFuture<Loop> loop : made) {
            if (!loop.isCompletedExceptionally()) {
                Loop started = loop.join();
                started.callSoonThreadsafe(started::stop);
            }
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw failed;
    }

    /** A group of one loop per available processor, threads named {@code boucle-loop-i}. Any thread. */
    public static LoopGroup start() {
        return start(Runtime.getRuntime().availableProcessors());
    }

    /** A group of {@code size} loops, threads named {@code boucle-loop-i}. Any thread. */
    public static LoopGroup start(int size) {
        return start(size, "boucle-loop");
    }

    /**
     * A group of {@code size} loops whose threads are named {@code prefix-0} to {@code prefix-(size-1)},
     * on the backend the system property {@code boucle.backend} names ({@link Backend#configured()}). Any thread.
     */
    public static LoopGroup start(int size, String prefix) {
        return start(size, prefix, Backend.configured());
    }

    /**
     * A group of {@code size} loops on {@code backend}: {@link Backend#AUTO} is decided once for the
     * whole group (every loop runs on the same backend), and if a loop's ring cannot be set up
     * after the probe passed, the whole group runs on NIO instead (logged). Any thread.
     *
     * @throws IllegalStateException with the reason, if {@link Backend#IO_URING} cannot serve here
     *     (refused before any thread starts)
     */
    public static LoopGroup start(int size, String prefix, Backend backend) {
        if (size < 1) {
            throw new IllegalArgumentException("a loop group needs at least one loop, not " + size);
        }
        Objects.requireNonNull(prefix, "prefix");
        Backend chosen = BackendChoice.resolve(Objects.requireNonNull(backend, "backend"));
        try {
            return new LoopGroup(size, prefix, chosen);
        } catch (IllegalStateException ringFailed) {
            if (backend != Backend.AUTO || chosen != Backend.IO_URING) {
                throw ringFailed;
            }
            // never fatal under AUTO: the whole group on NIO (its loops share one backend)
            BackendChoice.groupFellBack(ringFailed);
            return new LoopGroup(size, prefix, Backend.NIO);
        }
    }

    /** The backend every loop of the group runs on: {@link Backend#IO_URING} or {@link Backend#NIO}. Any thread. */
    public Backend backend() {
        return backend;
    }

    /** The body of loop {@code i}'s thread: make the loop here, run it until stopped, then close it. */
    private void runLoop(int index, CompletableFuture<Loop> made) {
        try {
            Loop loop;
            try {
                loop = Net.newLoop(backend);
            } catch (RuntimeException cannotStart) { // the caller of start() gets it: no second report from this thread
                made.completeExceptionally(cannotStart);
                return;
            } catch (Error cannotStart) {
                made.completeExceptionally(cannotStart);
                throw cannotStart;
            }
            made.complete(loop);
            try {
                loop.runForever();
            } finally {
                loop.close(); // cancels what is left and runs its finally blocks; refuses late cross-loop calls
            }
        } finally {
            ended.set(index, 1);
            failPending(index);
            if (running.decrementAndGet() == 0) {
                terminated.complete(null);
            }
        }
    }

    /** Loop {@code index} has ended: what was submitted to it and never ran will not run. */
    private void failPending(int index) {
        for (CompletableFuture<?> left : List.copyOf(pending.get(index))) {
            left.completeExceptionally(new IllegalStateException("loop " + index + " of " + this
                    + " ended before it ran the submitted task"));
        }
    }

    /** How many loops. Any thread. */
    public int size() {
        return loops.size();
    }

    /** Loop {@code index}, from 0. Only its {@code callSoonThreadsafe} and diagnostics are for other threads. Any thread. */
    public Loop loop(int index) {
        return loops.get(index);
    }

    /** The loops, in order. Any thread. */
    public List<Loop> loops() {
        return loops;
    }

    /** The index of {@code loop} in this group, or -1. Any thread. */
    public int indexOf(Loop loop) {
        return loops.indexOf(loop);
    }

    /** The next loop in turn (round robin): where to place new work when any loop will do. Any thread. */
    public Loop next() {
        return loops.get(Math.floorMod(nextLoop.getAndIncrement(), loops.size()));
    }

    /**
     * Starts {@code body} as a task on loop {@code index}; the future completes with its result or
     * failure, or fails if the loop ends before it could start (a submit to a group shut down).
     * Any thread (from a task, {@link boucle.core.Boucle#callOn} parks instead of blocking).
     */
    public <T> CompletableFuture<T> submit(int index, Callable<T> body) {
        Objects.requireNonNull(body, "body");
        Loop loop = loops.get(index);
        CompletableFuture<T> outcome = new CompletableFuture<>();
        Set<CompletableFuture<?>> waiting = pending.get(index);
        waiting.add(outcome);
        outcome.whenComplete((result, failure) -> waiting.remove(outcome));
        if (ended.get(index) == 1) { // after the add: the loop's own sweep, or this, fails it
            failPending(index);
            return outcome;
        }
        loop.callSoonThreadsafe(() -> {
            Task<T> task;
            try {
                task = loop.spawn(body);
            } catch (RuntimeException | Error cannotStart) { // a closing loop, a JVM without the export...
                outcome.completeExceptionally(cannotStart);
                throw cannotStart;
            }
            task.whenDone(() -> {
                Throwable failure = task.exception();
                if (failure == null) {
                    outcome.complete(task.result());
                } else {
                    outcome.completeExceptionally(failure);
                }
            });
        });
        return outcome;
    }

    /** A server of this group: it drains before the loops stop. */
    void serving(GroupServer server) {
        if (shuttingDown.get()) {
            throw new IllegalStateException("this loop group is shutting down: it starts no server");
        }
        servers.add(server);
    }

    void stoppedServing(GroupServer server) {
        servers.remove(server);
    }

    /**
     * Drains every server of the group, then stops every loop (see the class notes). Idempotent,
     * never blocks. Any thread.
     *
     * @return completed once every loop's thread has ended
     */
    public CompletableFuture<Void> shutdownGracefully() {
        if (shuttingDown.compareAndSet(false, true)) {
            CompletableFuture<?>[] draining = servers.stream().map(GroupServer::shutdownThreadsafe)
                    .toArray(CompletableFuture[]::new);
            CompletableFuture.allOf(draining).whenComplete((done, failed) -> {
                for (Loop loop : loops) {
                    loop.callSoonThreadsafe(loop::stop);
                }
            });
        }
        return terminated.copy();
    }

    /** Whether every loop's thread has ended. Any thread. */
    public boolean isTerminated() {
        return terminated.isDone();
    }

    /**
     * Blocks until every loop's thread has ended or {@code timeout} passed; {@code true} if they
     * ended. Any thread but one of this group's loops (it would wait for itself).
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        requireNotOnALoop("awaitTermination");
        try {
            terminated.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException notYet) {
            return false;
        } catch (ExecutionException impossible) {
            throw new IllegalStateException(impossible); // never completed exceptionally
        }
    }

    /**
     * {@link #shutdownGracefully()}, then waits until every thread has ended (bounded by the
     * servers' grace periods, plus the tasks' clean-up). Any thread but one of this group's loops.
     */
    @Override
    public void close() {
        requireNotOnALoop("close");
        shutdownGracefully();
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException again) {
                    interrupted = true; // finish closing: a half-closed group would leak its threads
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void requireNotOnALoop(String what) {
        if (threads.contains(Thread.currentThread())) {
            throw new IllegalStateException(what + "() would block loop thread '" + Thread.currentThread().getName()
                    + "' of the group it waits for: call shutdownGracefully(), which does not block");
        }
    }

    /**
     * The task dumps of every loop ({@link Loop#dumpTasksThreadsafe()}), each under a heading with
     * its thread's name. Any thread.
     */
    public CompletableFuture<String> dumpTasksThreadsafe() {
        List<CompletableFuture<String>> dumps = new ArrayList<>();
        for (int i = 0; i < loops.size(); i++) {
            String heading = "== loop " + i + " (thread " + threads.get(i).getName() + ") ==\n";
            dumps.add(loops.get(i).dumpTasksThreadsafe().thenApply(dump -> heading + dump));
        }
        return CompletableFuture.allOf(dumps.toArray(CompletableFuture[]::new))
                .thenApply(all -> String.join("\n", dumps.stream().map(CompletableFuture::join).toList()));
    }

    /** Any thread. */
    @Override
    public String toString() {
        return "LoopGroup[" + prefix + ", " + loops.size() + " loops"
                + (isTerminated() ? ", terminated" : shuttingDown.get() ? ", shutting down" : "") + "]";
    }
}
