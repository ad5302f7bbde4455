package org.pentecost.server.ratelimit;

import java.time.Duration;

/** The outcome of one rate-limit check; {@code retryAfter} is zero when allowed. */
public record RateDecision(boolean allowed, Duration retryAfter) {
  public static final RateDecision ALLOWED = new RateDecision(true, Duration.ZERO);

  /** {@code Retry-After} in whole seconds, at least 1. */
  public long retryAfterSeconds() {
    return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
  }
}
