package boucle.test;

import boucle.core.Clock;
import boucle.core.Loop;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Makes a test's loop: a selector loop when {@code boucle-net} is on the class path, else a plain
 * one. The kit depends on {@code boucle-core} only, so that {@code boucle-net}'s own tests can use
 * it; {@code Net.newLoop(Clock)} is therefore found by name.
 */
final class Loops {
    private static final MethodHandle NET_NEW_LOOP = findNetNewLoop();

    private Loops() {
    }

    private static MethodHandle findNetNewLoop() {
        try {
            Class<?> net = Class.forName("boucle.net.Net");
            return MethodHandles.publicLookup().findStatic(net, "newLoop", MethodType.methodType(Loop.class, Clock.class));
        } catch (ClassNotFoundException noNet) {
            return null;
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException("boucle-net is on the class path but has no Net.newLoop(Clock):"
                    + " boucle-test and boucle-net must be the same version", e);
        }
    }

    static Loop newLoop(Clock clock) {
        if (NET_NEW_LOOP == null) {
            return new Loop(clock);
        }
        try {
            return (Loop) NET_NEW_LOOP.invokeExact(clock);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
