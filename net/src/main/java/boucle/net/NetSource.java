package boucle.net;

import boucle.core.EventSource;
import boucle.core.StepBudget;

/**
 * What the socket types of this package need from their loop's event source, whichever backend
 * it is: the selector ({@link SelectorEventSource}) or the io_uring ring ({@link UringEventSource}).
 * Loop-thread only.
 */
interface NetSource extends EventSource {
    /** The loop's step budget, shared by its sockets: see {@link AsyncSocket} for what costs a unit. */
    StepBudget budget();

    /** Lists {@code flush} to run when the turn ends, before the loop waits; a socket lists itself once per turn. */
    void flushAtTurnEnd(Runnable flush);

    /** The array of one gathering write, shared by the loop's sockets (one write at a time). */
    java.nio.ByteBuffer[] gatherBuffers();

    /** A task parks on something of this source: while one does, the loop must wait, not end. */
    void taskParked();

    void taskUnparked();

    /** Which backend this is: {@link Backend#NIO} or {@link Backend#IO_URING}. */
    Backend backend();
}
