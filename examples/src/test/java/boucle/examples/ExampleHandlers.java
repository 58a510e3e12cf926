package boucle.examples;

import boucle.net.Handler;

/**
 * The real handlers of the example servers, for tests outside this package (the fault suite in
 * {@code boucle.examples.faults}): the commands are package-private, as a command line's parts are.
 */
public final class ExampleHandlers {
    private ExampleHandlers() {
    }

    /** The echo server's handler. */
    public static Handler echo() {
        return Echo::echo;
    }

    /** A chat room's handler, with the command's limit on a member's unread output. */
    public static Handler chat() {
        return chat(Chat.MAX_QUEUED_BYTES);
    }

    /** A chat room's handler that disconnects a member once {@code maxQueuedBytes} wait unread. */
    public static Handler chat(int maxQueuedBytes) {
        return new Chat(new ChatRoom(maxQueuedBytes))::handle;
    }

    /** The longest line the chat accepts, in bytes. */
    public static int chatMaxLine() {
        return Chat.MAX_LINE;
    }
}
