package boucle.net;

import boucle.core.Loop;
import boucle.core.Task;

/** Two connected {@link AsyncSocket}s on loopback, for tests that run both ends in one loop. */
final class SocketPair {
    @FunctionalInterface
    interface Body {
        void run(AsyncSocket client, AsyncSocket server) throws Exception;
    }

    private SocketPair() {
    }

    /** Runs {@code body} in a task of a fresh selector loop, with a connected pair it closes afterwards. */
    static void run(Body body) {
        try (Loop loop = Net.newLoop()) {
            loop.runTask(() -> {
                try (AsyncServerSocket listener = AsyncServerSocket.bind("127.0.0.1", 0, 8)) {
                    Task<AsyncSocket> accepting = loop.spawn(listener::accept);
                    try (AsyncSocket client = AsyncSocket.connect("127.0.0.1", listener.port(), java.time.Duration.ofSeconds(5));
                         AsyncSocket server = accepting.await()) {
                        body.run(client, server);
                    }
                }
            });
        }
    }
}
