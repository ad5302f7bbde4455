package org.pentecost.server.ratelimit;

import java.time.Duration;

/**
 * A token bucket: at most {@code capacity} events at once, refilled at {@code refill} tokens per
 * {@code period}. {@code name} labels the limit in metrics and keys.
 */
public record RateLimit(String name, long capacity, long refill, Duration period) {

  /** {@code count} events per {@code period}, all of which may come at once. */
  public static RateLimit perPeriod(String name, long count, Duration period) {
    return new RateLimit(name, count, count, period);
  }
}
