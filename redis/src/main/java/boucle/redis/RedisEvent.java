package boucle.redis;

import java.util.Objects;

/**
 * What a {@link RedisSubscriber} receives, in order: messages, and the link's losses and returns.
 *
 * <pre>{@code
 * switch (subscriber.receive()) {
 *     case RedisEvent.Message(String channel, String payload) -> deliver(channel, payload);
 *     case RedisEvent.LinkLost(RedisException cause) -> tellEveryone("* link to other servers lost");
 *     case RedisEvent.LinkBack() -> tellEveryone("* link back");
 * }
 * }</pre>
 *
 * Immutable; any thread.
 */
public sealed interface RedisEvent {
    /**
     * A message published on {@code channel} (for a pattern subscription, the channel it was
     * published on); its payload decoded as UTF-8 (malformed bytes become U+FFFD).
     */
    record Message(String channel, String payload) implements RedisEvent {
        public Message {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(payload, "payload");
        }
    }

    /**
     * The link broke: messages published from now until {@link LinkBack} are lost (Redis pub/sub
     * keeps nothing for absent subscribers). The subscriber reconnects with backoff.
     */
    record LinkLost(RedisException cause) implements RedisEvent {
        public LinkLost {
            Objects.requireNonNull(cause, "cause");
        }
    }

    /** The link is back and every channel and pattern is subscribed again; messages flow. */
    record LinkBack() implements RedisEvent {
    }
}
