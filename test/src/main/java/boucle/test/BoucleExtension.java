package boucle.test;

import boucle.core.Clock;
import boucle.core.Loop;
import boucle.core.Task;
import boucle.core.VirtualClock;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link BoucleTest}: makes a fresh loop per test, runs the test method as its
 * first task on a thread of its own, and turns what a Boucle test can get wrong quietly into
 * failures (see {@link BoucleTest}). Use it through the annotation.
 */
public final class BoucleExtension implements ParameterResolver, InvocationInterceptor {
    private static final ExtensionContext.Namespace HERE = ExtensionContext.Namespace.create(BoucleExtension.class);
    /** How long a timed-out test's loop gets to run its cancelled tasks' finally blocks. */
    private static final long CLEANUP_MILLIS = 2_000;

    static {
        LeakCheck.install(); // before any ByteBuf class loads: the recording detector must be the one made
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Loop.class || type == VirtualClock.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        TestLoop run = testLoop(context);
        Class<?> type = parameter.getParameter().getType();
        if (type == Loop.class) {
            return run.loop;
        }
        if (run.clock instanceof VirtualClock virtual) {
            return virtual;
        }
        throw new ParameterResolutionException("no virtual clock for this test"); // cannot happen: see testLoop
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> method,
            ExtensionContext context) throws Throwable {
        TestLoop run = testLoop(context);
        long timeout = AnnotationSupport.findAnnotation(method.getExecutable(), BoucleTest.class)
                .map(BoucleTest::timeoutMillis).orElse(10_000L);
        Failures failures = new Failures();
        Thread thread = new FastThreadLocalThread(() -> run.runTest(invocation, failures),
                "boucle-test " + context.getDisplayName());
        thread.setDaemon(true);
        thread.start();
        try {
            run.done.get(timeout, TimeUnit.MILLISECONDS);
        } catch (TimeoutException late) {
            failures.timedOut(run.timedOut(timeout));
        } catch (ExecutionException impossible) {
            failures.add(impossible.getCause());
        }
        List<String> leaks = LeakCheck.leaks();
        if (!leaks.isEmpty()) {
            failures.add(new AssertionError("ByteBuf leak(s) in " + context.getDisplayName() + ":\n"
                    + String.join("\n", leaks)));
        }
        failures.throwIfAny();
    }

    private static TestLoop testLoop(ExtensionContext context) {
        return context.getStore(HERE).getOrComputeIfAbsent("loop", key -> new TestLoop(wantsVirtualClock(context)),
                TestLoop.class);
    }

    private static boolean wantsVirtualClock(ExtensionContext context) {
        return context.getTestMethod().map(m -> {
            for (Parameter parameter : m.getParameters()) {
                if (parameter.getType() == VirtualClock.class) {
                    return true;
                }
            }
            return false;
        }).orElse(false);
    }

    /** The failures of one test, the first one thrown with the others attached. */
    private static final class Failures {
        private final List<Throwable> all = new CopyOnWriteArrayList<>();

        void add(Throwable failure) {
            all.add(failure);
        }

        /** The timeout is the story: first, and the test task's own cancellation is dropped as noise. */
        void timedOut(AssertionError timeout) {
            all.removeIf(failure -> failure instanceof boucle.core.CancelledException);
            all.add(0, timeout);
        }

        void throwIfAny() throws Throwable {
            if (all.isEmpty()) {
                return;
            }
            Throwable first = all.get(0);
            for (Throwable other : all.subList(1, all.size())) {
                if (other != first) {
                    first.addSuppressed(other);
                }
            }
            throw first;
        }
    }

    /** One test's loop and clock, and the future its thread completes. */
    private static final class TestLoop {
        final Clock clock;
        final Loop loop;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        /** Failed tasks nothing awaited when they ended; reported if still unobserved at the end. */
        final List<Task<?>> unawaited = new CopyOnWriteArrayList<>();

        TestLoop(boolean virtual) {
            this.clock = virtual ? VirtualClock.autojump() : Clock.SYSTEM;
            this.loop = Loops.newLoop(clock);
            loop.setUnobservedFailureHandler((task, failure) -> unawaited.add(task));
        }

        /** On the loop's thread: the test as a task, then the checks that need the loop, then close. */
        void runTest(Invocation<Void> invocation, Failures failures) {
            try (loop) {
                Task<Void> test = loop.spawn("test", () -> proceed(invocation));
                try {
                    loop.runUntilComplete(test);
                } catch (Throwable testFailure) { // the test's own outcome: reported first
                    failures.add(testFailure);
                }
                for (Task<?> task : unawaited) {
                    if (!task.isObserved()) {
                        failures.add(new AssertionError("task '" + task.name() + "' failed and nothing awaited it",
                                task.exception()));
                    }
                }
                List<Task<?>> alive = loop.tasks();
                if (!alive.isEmpty()) {
                    failures.add(new AssertionError(alive.size() + " task(s) still alive when the test returned"
                            + " (await or cancel every task you start):\n" + loop.dumpTasks()));
                }
            } catch (RuntimeException | Error loopFailure) {
                failures.add(loopFailure);
            } finally {
                done.complete(null);
            }
        }

        private static void proceed(Invocation<Void> invocation) throws Exception {
            try {
                invocation.proceed();
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable other) {
                throw new IllegalStateException(other);
            }
        }

        /** The test outlived its time: list the tasks, cancel them, let their finally blocks run. */
        AssertionError timedOut(long timeoutMillis) throws InterruptedException {
            String dump;
            try {
                dump = loop.dumpTasksThreadsafe().get(CLEANUP_MILLIS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                dump = "(no task dump: the loop's thread did not answer within " + CLEANUP_MILLIS
                        + " ms, a task holds it without suspending)";
            }
            loop.callSoonThreadsafe(() -> loop.tasks().forEach(Task::cancel));
            String cleanup;
            try {
                done.get(CLEANUP_MILLIS, TimeUnit.MILLISECONDS);
                cleanup = "its tasks were cancelled";
            } catch (TimeoutException | ExecutionException stuck) {
                cleanup = "its tasks were cancelled but the loop did not stop within " + CLEANUP_MILLIS
                        + " ms (its thread was left running, not interrupted)";
            }
            return new AssertionError("the test did not finish within " + timeoutMillis + " ms; " + cleanup
                    + ". Tasks at the timeout:\n" + dump);
        }
    }
}
