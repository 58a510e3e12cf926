package boucle.bench;

import java.util.List;

/**
 * One socket-load scenario: how many connections, how big a message, how many messages each
 * connection keeps in flight. Every server is measured with exactly the same scenario.
 */
record Scenario(String name, int connections, int size, int inflight) {
    /** The five scenarios, in the order the report lists them. */
    static final List<Scenario> ALL = List.of(
            new Scenario("1 conn x 64 B", 1, 64, 1),
            new Scenario("100 conns x 64 B", 100, 64, 1),
            new Scenario("100 conns x 64 B, 16 in flight", 100, 64, 16),
            new Scenario("1,000 conns x 1 KiB", 1000, 1024, 1),
            new Scenario("10 conns x 64 KiB", 10, 64 * 1024, 1));

    /**
     * Run on every server, the same way, before anything is measured: the JIT compiles the echo
     * path, so that a measurement sees a server in its steady state, not its first seconds.
     */
    static final Scenario WARM_UP = new Scenario("warm-up", 100, 1024, 4);
}
