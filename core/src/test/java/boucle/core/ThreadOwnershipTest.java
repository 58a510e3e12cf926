package boucle.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The thread rule: while a loop runs, a call from another thread is refused before it changes
 * anything, except for the methods documented "Any thread".
 */
class ThreadOwnershipTest {
    /** The public types whose every public method is either in {@link #ANY_THREAD} or walked below. */
    private static final List<Class<?>> CORE_TYPES = List.of(Loop.class, Task.class, Handle.class, Waiter.class,
            Event.class, Lock.class, Condition.class, Semaphore.class, Queue.class, TaskGroup.class,
            WaitQueue.class, WaitQueue.Node.class, Boucle.class, Timeouts.class);

    /** The methods documented as safe from any thread: factories, the thread door, and snapshot getters. */
    private static final Set<String> ANY_THREAD = Set.of(
            "Loop.current()", "Loop.callSoonThreadsafe(Runnable)", "Loop.now()", "Loop.isRunning()",
            "Loop.runsOnAnotherThread()", "Loop.requireThisThread(Object)",
            "Loop.eventSource()", "Loop.turns()", "Loop.pendingTimers()", "Loop.dumpTasksThreadsafe()",
            "Loop.setSlowStepThreshold(Duration)",
            "Task.name()", "Task.state()", "Task.isDone()", "Task.isCancelled()", "Task.isCancelling()",
            "Task.waitingOn()", "Task.isObserved()", "Task.toString()",
            "Handle.isCancelled()", "Handle.hasRun()", "Handle.deadline()", "Handle.toString()",
            "Waiter.isSet()", "Waiter.waitingTasks()", "Waiter.toString()",
            "Event.isSet()", "Event.waitingTasks()", "Event.toString()",
            "Lock.isLocked()", "Lock.waitingTasks()", "Lock.toString()",
            "Condition.lock()", "Condition.waitingTasks()", "Condition.toString()",
            "Semaphore.bounded(int)", "Semaphore.availablePermits()", "Semaphore.waitingTasks()",
            "Semaphore.toString()",
            "Queue.bounded(int)", "Queue.unbounded()", "Queue.isClosed()", "Queue.size()", "Queue.isEmpty()",
            "Queue.capacity()", "Queue.waitingGetters()", "Queue.waitingPutters()", "Queue.toString()",
            "TaskGroup.toString()",
            "WaitQueue.isEmpty()", "WaitQueue.size()", "Node.task()",
            // each runs a fresh loop of its own on the calling thread
            "Boucle.runTask(Callable)", "Boucle.runTask(Routine)", "Boucle.runTasks(Routine[])");

    @Test
    void everyPublicMethodIsEitherSafeFromAnyThreadOrWalkedFromAForeignThread() throws Exception {
        Set<String> walked = new ForeignWalk().calls().keySet();
        Set<String> unclassified = new TreeSet<>();
        for (Class<?> type : CORE_TYPES) {
            for (Method method : type.getDeclaredMethods()) {
                if (Modifier.isPublic(method.getModifiers()) && !method.isSynthetic() && !method.isBridge()) {
                    String key = signature(method);
                    if (!ANY_THREAD.contains(key) && !walked.contains(key)) {
                        unclassified.add(key);
                    }
                }
            }
        }
        assertEquals(Set.of(), unclassified, "public methods neither documented 'Any thread' (ANY_THREAD)"
                + " nor called from a foreign thread by ForeignWalk: add a thread check and walk them");
    }

    @Test
    void everyMutatingCallFromAForeignThreadIsRefusedAndLeavesTheObjectWorkingForTheLoopThread() throws Exception {
        try (Loop loop = new Loop()) {
            ForeignWalk walk = new ForeignWalk();
            CompletableFuture<Map<String, String>> outcomes = new CompletableFuture<>();
            loop.spawn("set-up", () -> {
                walk.setUp(loop);
                Thread.ofPlatform().name("foreign").start(() -> {
                    Map<String, String> seen = new LinkedHashMap<>();
                    walk.calls().forEach((name, call) -> seen.put(name, outcome(call)));
                    outcomes.complete(seen);
                    loop.callSoonThreadsafe(walk::checkUnchangedThenUseCorrectly);
                });
            });
            AssertionError brokenAfterwards = null;
            try {
                loop.run();
            } catch (AssertionError checkOnTheLoopThread) {
                brokenAfterwards = checkOnTheLoopThread; // reported after the list of calls not refused
            }
            Map<String, String> seen = outcomes.get(10, TimeUnit.SECONDS);
            List<String> accepted = seen.entrySet().stream()
                    .filter(entry -> !entry.getValue().startsWith("refused"))
                    .map(entry -> entry.getKey() + " -> " + entry.getValue()).toList();
            assertEquals(List.of(), accepted, "foreign-thread calls that were not refused with IllegalStateException");
            if (brokenAfterwards != null) {
                throw brokenAfterwards;
            }
            assertEquals(new TreeSet<>(List.of("waiter woke", "event woke", "timer cancelled", "permits: 2",
                    "queue gave right", "wait-queue task woke", "group ended", "parked task ended, cancelled true",
                    "condition signalled")), new TreeSet<>(walk.events));
            assertTrue(loop.tasks().isEmpty());
            assertEquals(0, loop.pendingTimers());
        }
    }

    @Test
    void aPrimitiveMadeBeforeItsLoopRunsIsRefusedToAnotherThreadWhileThatLoopRuns() throws Exception {
        Event made = new Event(); // on this thread, before any loop runs: bound to no loop yet
        Queue<String> queue = Queue.unbounded();
        try (Loop loop = new Loop()) {
            CompletableFuture<List<String>> outcomes = new CompletableFuture<>();
            loop.callSoon(() -> Thread.ofPlatform().start(() -> {
                outcomes.complete(List.of(outcome(made::set), outcome(() -> queue.offer("foreign"))));
                loop.callSoonThreadsafe(() -> {
                    made.set(); // the correct call still works
                    queue.offer("right");
                    loop.stop();
                });
            }));
            loop.runForever();
            List<String> seen = outcomes.get(10, TimeUnit.SECONDS);
            assertTrue(seen.stream().allMatch(outcome -> outcome.contains("only callSoonThreadsafe")), seen.toString());
            assertTrue(made.isSet());
            assertEquals("right", queue.poll());
            assertNull(queue.poll());
        }
    }

    @Test
    void aPrimitiveBoundToOneLoopIsRefusedInsideAnother() throws Exception {
        Waiter waiter;
        try (Loop first = new Loop()) {
            waiter = first.runTask(() -> new Waiter(2)); // made inside the first loop: bound to it
        }
        Waiter bound = waiter;
        CompletableFuture<String> seen = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> Boucle.runTask(() -> seen.complete(outcome(bound::set)))).join();
        assertTrue(seen.get().contains("not shared between loops"), seen.get());
        bound.set(); // the first loop's thread, with no loop running: fine
        assertFalse(bound.isSet());
    }

    private static String signature(Method method) {
        return method.getDeclaringClass().getSimpleName() + "." + method.getName() + "("
                + Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(","))
                + ")";
    }

    /**
     * One object of each type, each in a state where the foreign call would change something (a
     * parked waiter, a pending timer, a free permit...), the foreign calls, and the checks that
     * follow on the loop's thread.
     */
    private static final class ForeignWalk {
        final List<String> events = new ArrayList<>();
        Loop loop;
        Waiter waiter;
        Event event;
        Event releaseLock;
        Lock lock;
        Condition condition;
        Semaphore semaphore;
        Queue<String> queue;
        Handle timer;
        Task<Void> parked;
        Event parkedGate;
        TaskGroup group;
        Task<?> groupChild;
        WaitQueue waitQueue;
        WaitQueue.Node extraNode;
        Task<Void> waitQueueTask;
        int liveTasksBefore;

        /** In a task, so every primitive belongs to the loop from its construction. */
        void setUp(Loop loop) {
            this.loop = loop;
            waiter = new Waiter(1);
            loop.spawn("waiter", () -> {
                waiter.await();
                events.add("waiter woke");
            });
            event = new Event();
            loop.spawn("event", () -> {
                event.await();
                events.add("event woke");
            });
            lock = new Lock();
            condition = new Condition(lock);
            releaseLock = new Event();
            loop.spawn("condition" /* first: it gives the lock back while it waits */, () -> {
                lock.acquire();
                try {
                    condition.await();
                    events.add("condition signalled");
                } finally {
                    lock.release();
                }
            });
            loop.spawn("holder", () -> {
                lock.acquire();
                try {
                    releaseLock.await();
                } finally {
                    lock.release();
                }
            });
            semaphore = new Semaphore(1);
            queue = Queue.unbounded();
            timer = loop.callLater(Duration.ofHours(1), () -> events.add("never"));
            parkedGate = new Event();
            parked = loop.spawn("parked", parkedGate::await);
            loop.spawn("group owner", () -> {
                TaskGroup.run(opened -> {
                    group = opened;
                    groupChild = opened.spawn("child", () -> new Event().await());
                    return null;
                });
                events.add("group ended");
            });
            waitQueue = new WaitQueue();
            waitQueueTask = loop.spawn("in wait queue", () -> {
                waitQueue.park("test");
                events.add("wait-queue task woke");
            });
            Boucle.interrupt(); // let them all reach their waits
            Boucle.interrupt();
            extraNode = waitQueue.add(parked); // a node to unlink from the wrong thread
            liveTasksBefore = loop.tasks().size() - 1; // the set-up task itself ends right after
        }

        Map<String, Executable> calls() {
            Map<String, Executable> calls = new LinkedHashMap<>();
            Callable<Integer> one = () -> 1;
            Routine nothing = () -> { };
            // Loop
            calls.put("Loop.spawn(Callable)", () -> loop.spawn(one));
            calls.put("Loop.spawn(Routine)", () -> loop.spawn(nothing));
            calls.put("Loop.spawn(String,Routine)", () -> loop.spawn("x", nothing));
            calls.put("Loop.spawn(String,Callable)", () -> loop.spawn("x", one));
            calls.put("Loop.callSoon(Runnable)", () -> loop.callSoon(() -> { }));
            calls.put("Loop.callLater(Duration,Runnable)", () -> loop.callLater(Duration.ofMillis(1), () -> { }));
            calls.put("Loop.callAt(long,Runnable)", () -> loop.callAt(0, () -> { }));
            calls.put("Loop.run()", () -> loop.run());
            calls.put("Loop.runTask(Callable)", () -> loop.runTask(one));
            calls.put("Loop.runTask(Routine)", () -> loop.runTask(nothing));
            calls.put("Loop.runUntilComplete(Task)", () -> loop.runUntilComplete(parked));
            calls.put("Loop.runForever()", () -> loop.runForever());
            calls.put("Loop.stop()", () -> loop.stop());
            calls.put("Loop.close()", () -> loop.close());
            calls.put("Loop.tasks()", () -> loop.tasks());
            calls.put("Loop.dumpTasks()", () -> loop.dumpTasks());
            calls.put("Loop.waitAllTasksBlocked()", () -> loop.waitAllTasksBlocked());
            calls.put("Loop.setUnobservedFailureHandler(BiConsumer)",
                    () -> loop.setUnobservedFailureHandler((task, failure) -> events.add("never")));
            // Task
            calls.put("Task.current()", () -> Task.current());
            calls.put("Task.stack()", () -> parked.stack());
            calls.put("Task.await()", () -> parked.await());
            calls.put("Task.whenDone(Runnable)", () -> parked.whenDone(() -> events.add("never")));
            calls.put("Task.result()", () -> parked.result());
            calls.put("Task.exception()", () -> parked.exception());
            calls.put("Task.cancel()", () -> parked.cancel());
            calls.put("Task.cancel(RuntimeException)", () -> parked.cancel(new CancelledException("no")));
            calls.put("Task.shielded(Callable)", () -> Task.shielded(one));
            calls.put("Task.park(Object)", () -> parked.park("x"));
            calls.put("Task.wake()", () -> parked.wake());
            // Handle
            calls.put("Handle.cancel()", () -> timer.cancel());
            calls.put("Handle.run()", () -> timer.run());
            // Waiter, Event
            calls.put("Waiter.set()", () -> waiter.set());
            calls.put("Waiter.await()", () -> waiter.await());
            calls.put("Event.set()", () -> event.set());
            calls.put("Event.clear()", () -> parkedGate.clear());
            calls.put("Event.await()", () -> event.await());
            // Lock, Condition
            calls.put("Lock.acquire()", () -> lock.acquire());
            calls.put("Lock.tryAcquire()", () -> lock.tryAcquire());
            calls.put("Lock.release()", () -> lock.release());
            calls.put("Condition.await()", () -> condition.await());
            calls.put("Condition.signal()", () -> condition.signal());
            calls.put("Condition.signalAll()", () -> condition.signalAll());
            // Semaphore: nobody waits, so a release would only change the count
            calls.put("Semaphore.acquire()", () -> semaphore.acquire());
            calls.put("Semaphore.tryAcquire()", () -> semaphore.tryAcquire());
            calls.put("Semaphore.release()", () -> semaphore.release());
            // Queue: no getter waits, so put and offer would only change the items
            calls.put("Queue.put(Object)", () -> queue.put("foreign"));
            calls.put("Queue.offer(Object)", () -> queue.offer("foreign"));
            calls.put("Queue.get()", () -> queue.get());
            calls.put("Queue.poll()", () -> queue.poll());
            calls.put("Queue.close()", () -> queue.close());
            // TaskGroup
            calls.put("TaskGroup.run(Body)", () -> TaskGroup.run(opened -> null));
            calls.put("TaskGroup.spawn(String,Callable)", () -> group.spawn("x", one));
            calls.put("TaskGroup.spawn(Callable)", () -> group.spawn(one));
            calls.put("TaskGroup.spawn(Routine)", () -> group.spawn(nothing));
            calls.put("TaskGroup.spawn(String,Routine)", () -> group.spawn("x", nothing));
            calls.put("TaskGroup.tasks()", () -> group.tasks());
            calls.put("TaskGroup.cancel()", () -> group.cancel());
            // WaitQueue
            calls.put("WaitQueue.add(Task)", () -> waitQueue.add(parked));
            calls.put("WaitQueue.removeFirst()", () -> waitQueue.removeFirst());
            calls.put("WaitQueue.wakeFirst()", () -> waitQueue.wakeFirst());
            calls.put("WaitQueue.wakeAll()", () -> waitQueue.wakeAll());
            calls.put("WaitQueue.park(Object)", () -> waitQueue.park("x"));
            calls.put("Node.unlink()", () -> extraNode.unlink());
            // Boucle and Timeouts: they need the current task, which a foreign thread has not
            calls.put("Boucle.interrupt()", () -> Boucle.interrupt());
            calls.put("Boucle.waitAllTasksBlocked()", () -> Boucle.waitAllTasksBlocked());
            calls.put("Boucle.sleep(Duration)", () -> Boucle.sleep(Duration.ofMillis(1)));
            calls.put("Boucle.sleepUntil(long)", () -> Boucle.sleepUntil(0));
            calls.put("Boucle.runInThread(Callable)", () -> Boucle.runInThread(one));
            calls.put("Boucle.callOn(Loop,Callable)", () -> Boucle.callOn(loop, one));
            calls.put("Boucle.spawn(Callable)", () -> Boucle.spawn(one));
            calls.put("Boucle.spawn(Routine)", () -> Boucle.spawn(nothing));
            calls.put("Boucle.gather(Task[])", () -> Boucle.gather(parked));
            calls.put("Boucle.gather(List)", () -> Boucle.gather(List.<Task<?>>of(parked)));
            calls.put("Boucle.gather(Callable[])", () -> Boucle.gather(one));
            calls.put("Boucle.gather(Routine[])", () -> Boucle.gather(nothing));
            calls.put("Timeouts.withTimeout(Duration,Callable)", () -> Timeouts.withTimeout(Duration.ofSeconds(1), one));
            calls.put("Timeouts.withTimeout(Duration,Routine)", () -> Timeouts.withTimeout(Duration.ofSeconds(1), nothing));
            calls.put("Timeouts.withDeadline(long,Callable)", () -> Timeouts.withDeadline(0, one));
            calls.put("Timeouts.withTimeoutOrEmpty(Duration,Callable)",
                    () -> Timeouts.withTimeoutOrEmpty(Duration.ofSeconds(1), one));
            calls.put("Timeouts.currentDeadline()", () -> Timeouts.currentDeadline());
            return calls;
        }

        /** On the loop's thread, after the foreign calls: nothing changed, and the correct calls work. */
        void checkUnchangedThenUseCorrectly() {
            assertEquals(liveTasksBefore, loop.tasks().size(), "no task was spawned");
            assertEquals(1, loop.pendingTimers(), "the timer heap is as it was");
            assertFalse(timer.isCancelled());
            assertFalse(timer.hasRun());
            assertFalse(waiter.isSet());
            assertEquals(1, waiter.waitingTasks());
            assertFalse(event.isSet());
            assertEquals(1, event.waitingTasks());
            assertTrue(lock.isLocked());
            assertEquals(0, lock.waitingTasks());
            assertEquals(1, condition.waitingTasks());
            assertEquals(1, semaphore.availablePermits());
            assertTrue(queue.isEmpty());
            assertFalse(queue.isClosed());
            assertEquals(Task.State.PARKED, parked.state());
            assertFalse(parked.isCancelling());
            assertEquals(1, group.tasks().size());
            assertEquals(2, waitQueue.size());

            waiter.set();
            event.set();
            assertTrue(timer.cancel());
            events.add("timer cancelled");
            semaphore.release();
            events.add("permits: " + semaphore.availablePermits());
            queue.put("right");
            events.add("queue gave " + queue.poll());
            extraNode.unlink();
            waitQueue.wakeFirst();
            group.cancel();
            parked.whenDone(() -> events.add("parked task ended, cancelled " + parked.isCancelled()));
            parked.cancel();
            releaseLock.set();
            loop.spawn("signaller", () -> {
                lock.acquire();
                try {
                    condition.signal();
                } finally {
                    lock.release();
                }
            });
        }
    }

    @Test
    void everyLoopAndTaskMethodCalledFromAnotherThreadWhileTheLoopRunsNamesCallSoonThreadsafe() throws Exception {
        try (Loop loop = new Loop()) {
            Event never = new Event();
            Task<Void> parked = loop.spawn("parked", never::await);
            Map<String, Executable> calls = new LinkedHashMap<>();
            calls.put("spawn", () -> loop.spawn(() -> 1));
            calls.put("callSoon", () -> loop.callSoon(() -> { }));
            calls.put("callLater", () -> loop.callLater(Duration.ofMillis(1), () -> { }));
            calls.put("stop", loop::stop);
            calls.put("run", loop::run);
            calls.put("close", loop::close);
            calls.put("tasks", loop::tasks);
            calls.put("dumpTasks", loop::dumpTasks);
            calls.put("task.cancel", parked::cancel);
            calls.put("task.wake", parked::wake);
            CompletableFuture<Map<String, String>> outcomes = new CompletableFuture<>();
            loop.callSoon(() -> Thread.ofPlatform().start(() -> {
                Map<String, String> seen = new LinkedHashMap<>();
                calls.forEach((name, call) -> seen.put(name, outcome(call)));
                outcomes.complete(seen);
                loop.callSoonThreadsafe(() -> {
                    parked.cancel();
                    loop.stop();
                });
            }));
            loop.runForever();
            Map<String, String> seen = outcomes.get(10, TimeUnit.SECONDS);
            seen.forEach((name, outcome) -> assertTrue(outcome.contains("only callSoonThreadsafe may be called"),
                    name + ": " + outcome));
            assertEquals(calls.keySet(), seen.keySet());
            loop.run();
            assertTrue(parked.isCancelled());
        }
    }

    private static String outcome(Executable call) {
        try {
            call.execute();
            return "no error";
        } catch (IllegalStateException expected) {
            return "refused: " + expected.getMessage();
        } catch (Throwable other) {
            return "unexpected " + other;
        }
    }
}
