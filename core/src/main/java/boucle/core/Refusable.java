package boucle.core;

/**
 * An action posted to another loop that must hear back if that loop closes before it runs: the
 * loop then calls {@link #refused()} instead of {@link #run()} (see {@link Inbox}). Exactly one
 * of the two is called, once.
 */
interface Refusable extends Runnable {
    /** The loop closed before it ran the action; called on the closing loop's thread or the poster's. */
    void refused();
}
