package boucle.net;

import boucle.core.Loop;
import boucle.core.Task;

/** Two connected {@link AsyncSocket}s on loopback, for tests that run both ends in one loop. */
final class SocketPair {
    @FunctionalInterface
    interface Body {
        void run(AsyncSocket client, AsyncSocket server) throws Exception;
    }

    @FunctionalInterface
    interface TwoPairs {
        void run(AsyncSocket firstClient, AsyncSocket firstServer, AsyncSocket secondClient, AsyncSocket secondServer)
                throws Exception;
    }

    private SocketPair() {
    }

    /** Like {@link #run}, with two connected pairs in the same loop. */
    static void runTwo(TwoPairs body) {
        run((firstClient, firstServer) -> {
            try (AsyncServerSocket listener = AsyncServerSocket.bind("127.0.0.1", 0, 8)) {
                Task<AsyncSocket> accepting = Loop.current().spawn(listener::accept);
                try (AsyncSocket secondClient = AsyncSocket.connect("127.0.0.1", listener.port(), java.time.Duration.ofSeconds(5));
                     AsyncSocket secondServer = accepting.await()) {
                    body.run(firstClient, firstServer, secondClient, secondServer);
                }
            }
        });
    }

    /** Runs {@code body} in a task of a fresh loop (the configured backend), with a connected pair it closes afterwards. */
    static void run(Body body) {
        run(Backend.configured(), body);
    }

    /** The same, on a loop of {@code backend}. */
    static void run(Backend backend, Body body) {
        try (Loop loop = Net.newLoop(backend)) {
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
