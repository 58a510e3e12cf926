package boucle.core;

import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * The rule of what may cross from one loop to another, checked where it crosses.
 *
 * <h2>The rule</h2>
 * A loop shares nothing with another: every object that parks tasks or keeps loop-thread-only
 * state belongs to the loop that made it. So a {@link Boucle#callOn} may carry <em>values</em>:
 * immutable data (strings, numbers, records of values, unmodifiable collections), byte arrays and
 * {@code ByteBuf}s whose ownership is handed over with them (the sender touches them no more; the
 * receiver releases them), and {@link Loop}s themselves, whose only cross-thread method is
 * {@link Loop#callSoonThreadsafe}. It may not carry sockets, servers, tasks, handles or the
 * synchronisation primitives: they are {@link LoopBound}, and using one from another loop would
 * either be refused there at the first call or, worse, park a task of one loop in the queue of
 * another's.
 *
 * <h2>What is checked</h2>
 * One level deep, at the border: the values the work's lambda captured (its fields) and the
 * result. A loop-bound object hidden inside a collection or another object is not seen; the
 * loop-thread checks of every such object then refuse its first use from the wrong thread.
 */
final class CrossLoop {
    /** The core's loop-bound types; other modules mark theirs with {@link LoopBound}. */
    private static final List<Class<?>> CORE_BOUND = List.of(Task.class, Handle.class, Event.class, Waiter.class,
            Lock.class, Semaphore.class, Queue.class, Condition.class, TaskGroup.class, CancelScope.class);

    /** The instance fields of a class, made readable once: a lambda's captured values. */
    private static final ClassValue<Field[]> CAPTURED = new ClassValue<>() {
        @Override
        protected Field[] computeValue(Class<?> type) {
            List<Field> fields = new ArrayList<>();
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()) {
                    continue;
                }
                try {
                    field.setAccessible(true);
                    fields.add(field);
                } catch (InaccessibleObjectException | SecurityException sealed) {
                    // a class of a named module that does not open itself: its fields stay unchecked
                }
            }
            return fields.toArray(new Field[0]);
        }
    };

    private CrossLoop() {
    }

    /** Refuses work that captured a loop-bound object, before anything is posted. */
    static void requireWorkMayCross(Object work, Loop target) {
        for (Field field : CAPTURED.get(work.getClass())) {
            Object value;
            try {
                value = field.get(work);
            } catch (IllegalAccessException unreadable) {
                continue; // made accessible above; unreachable in practice
            }
            if (isLoopBound(value)) {
                throw new IllegalArgumentException("a call to the loop on '" + target.threadName()
                        + "' would carry " + describe(value) + ", captured by its work: it belongs to one loop"
                        + " and must not cross to another. Pass values (strings, numbers, immutable data, buffers"
                        + " handed over) and let the other loop use its own sockets and primitives");
            }
        }
    }

    /** Refuses a result that is loop-bound; {@code null} if it may cross, else the failure to hand back instead. */
    static RuntimeException refusalOfResult(Object result, Loop from) {
        if (!isLoopBound(result)) {
            return null;
        }
        return new IllegalArgumentException("the call run on the loop on '" + from.threadName() + "' returned "
                + describe(result) + ", which belongs to that loop and must not cross to another; return values instead");
    }

    static boolean isLoopBound(Object value) {
        if (value == null) {
            return false;
        }
        if (value instanceof LoopBound) {
            return true;
        }
        for (Class<?> bound : CORE_BOUND) {
            if (bound.isInstance(value)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Object value) {
        return "a " + value.getClass().getSimpleName() + " (" + value + ")";
    }
}
