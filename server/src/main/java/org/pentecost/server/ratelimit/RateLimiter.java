package org.pentecost.server.ratelimit;

import io.vertx.core.Future;

/**
 * Keyed rate limits (per user, per IP, per connection).
 *
 * <p>Contract: never blocks the caller; takes one token per call; if the limiter's own state is
 * unavailable it fails open (answers allowed) and counts that, so that an outage of the limiter
 * never locks out real users. A shared implementation holds the limits across nodes.
 */
public interface RateLimiter {

  /** Takes one token of {@code limit} for {@code key}. */
  Future<RateDecision> tryAcquire(RateLimit limit, String key);
}
