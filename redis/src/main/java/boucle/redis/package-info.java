/**
 * A Redis client for Boucle tasks, on {@code boucle.net.AsyncSocket}: RESP2, commands from many
 * tasks pipelined on one connection, pub/sub on a connection of its own, per-command timeouts,
 * a bounded queue of commands, and links that reconnect by themselves with backoff.
 *
 * <pre>{@code
 * RedisUri uri = RedisUri.parse("redis://127.0.0.1:6379/0");
 * RedisClient redis = RedisClient.connect(uri, RedisOptions.defaults());
 * RedisSubscriber sub = RedisSubscriber.connect(uri, RedisOptions.defaults());
 * sub.subscribe("room:lobby");
 * redis.publish("room:lobby", "hello");
 * RedisEvent event = sub.receive();                  // Message[channel=room:lobby, payload=hello]
 * }</pre>
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>One connection per client, pipelined.</b> A command is encoded and queued on the
 *       socket by the task that issues it; the socket writes what a turn queued in one system
 *       call. Replies come back in order: the link's reader task hands each to the oldest call
 *       waiting ({@code RedisConnection}).</li>
 *   <li><b>Nothing parks inside the pipeline.</b> The issuing task never waits for the socket:
 *       past the socket's high-water mark commands go to a backlog that a writer task drains.
 *       A task waits only for its own reply, with its own timeout.</li>
 *   <li><b>Bounded.</b> Commands waiting for replies are capped ({@code maxPendingCommands}); a
 *       subscriber's queue of messages is capped ({@code maxQueuedEvents}) by reading no more
 *       until there is room; a bulk string is capped ({@code maxBulkBytes}); the RESP reader
 *       keeps at most one unfinished line between reads.</li>
 *   <li><b>Links mend themselves</b> ({@code Link}): a supervisor task per client reads, and
 *       when the connection breaks fails what waited, reconnects with jittered exponential
 *       backoff, and (for a subscriber) subscribes again before it says the link is back.</li>
 *   <li><b>Fail fast while down.</b> A command issued while the link is down fails at once
 *       rather than waiting in a queue for a Redis that may not come back; the caller decides.</li>
 * </ul>
 */
package boucle.redis;
