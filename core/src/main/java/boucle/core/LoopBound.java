package boucle.core;

/**
 * Marks a type whose objects belong to one loop and must never be handed to another: sockets,
 * servers, and anything that parks tasks or keeps loop-thread-only state. {@link Boucle#callOn}
 * refuses such an object, with an error that says which, when it would cross loops as a value
 * captured by the work or as its result. The core's own primitives (tasks, handles, events,
 * waiters, locks, semaphores, queues, conditions, groups, cancel scopes) are refused as well.
 *
 * <p>A marker only: it has no methods and costs nothing. Any thread.
 */
public interface LoopBound {
}
