package org.pentecost.server.ws;

import io.github.bucket4j.Bucket;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.pentecost.server.config.PentecostConfig;
import org.pentecost.server.ratelimit.LocalRateLimiter;
import org.pentecost.server.ratelimit.RateLimit;

/**
 * What one WebSocket connection may cost the node, beyond the per-IP admission limits: the bytes
 * that may wait to be sent to it, and its budgets of inbound messages and pings. Shared by every
 * connection of a node; the per-connection state lives in {@link Connection}.
 */
final class ConnectionLimits {
  private final int maxQueuedBytes;
  private final int maxFrameBytes;
  private final long closeTimeoutMillis;
  private final RateLimit messages;
  private final RateLimit pings;
  private final Counter overflows;
  private final Counter rateLimited;
  private final Counter violations;

  ConnectionLimits(PentecostConfig config, MeterRegistry registry) {
    PentecostConfig.Limits limits = config.limits();
    this.maxQueuedBytes = config.connections().maxQueuedBytes();
    this.maxFrameBytes = config.connections().maxFrameBytes();
    this.closeTimeoutMillis = Math.max(1, config.connections().closeHandshakeTimeout().toMillis());
    Duration second = Duration.ofSeconds(1);
    this.messages =
        new RateLimit("ws_messages", limits.messageBurst(), limits.messagesPerSecond(), second);
    this.pings = new RateLimit("ws_pings", limits.pingBurst(), limits.pingsPerSecond(), second);
    this.overflows =
        Counter.builder("pentecost.ws.queue.overflows")
            .description(
                "Connections closed because more than connections.maxQueuedBytes waited to be"
                    + " sent to them (a client that does not read)")
            .register(registry);
    this.rateLimited =
        Counter.builder("pentecost.ws.messages.rate.limited")
            .description("Connections closed for sending messages or pings over their budget")
            .register(registry);
    this.violations =
        Counter.builder("pentecost.ws.protocol.violations")
            .description(
                "Connections closed for broken framing, invalid UTF-8 or an oversized frame")
            .register(registry);
  }

  int maxFrameBytes() {
    return maxFrameBytes;
  }

  int maxQueuedBytes() {
    return maxQueuedBytes;
  }

  /** Audio stops being queued for a listener here, leaving room for control messages. */
  long audioQueueBytes() {
    return maxQueuedBytes * 3L / 4;
  }

  /** How long a connection has to answer a close frame before its TCP connection is dropped. */
  long closeTimeoutMillis() {
    return closeTimeoutMillis;
  }

  /**
   * How long after the server closes a connection it is dropped if it is still open: twice the
   * close time-out, time to read the close frame through a backlog and to answer it.
   */
  long closeDeadlineMillis() {
    return 2 * closeTimeoutMillis;
  }

  Bucket newMessageBudget() {
    return LocalRateLimiter.newBucket(messages);
  }

  Bucket newPingBudget() {
    return LocalRateLimiter.newBucket(pings);
  }

  long messagesPerSecond() {
    return messages.refill();
  }

  long pingsPerSecond() {
    return pings.refill();
  }

  void overflowed() {
    overflows.increment();
  }

  void rateLimited() {
    rateLimited.increment();
  }

  void violated() {
    violations.increment();
  }
}
