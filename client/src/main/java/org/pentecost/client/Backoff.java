package org.pentecost.client;

import java.util.function.DoubleSupplier;

/**
 * How long to wait before reconnect attempt {@code n} (0 for the first): exponential from {@code
 * initialMillis}, doubling up to {@code maxMillis}, with "equal jitter" (half the step fixed, half
 * random) so that a crowd dropped at once does not come back at once, yet nobody retries at zero. A
 * server's {@code retryAfterMs} is a floor, with up to 20 % jitter above it; a {@code 1001} (going
 * away: another node takes over) is retried at once, within a random {@code initialMillis}.
 */
final class Backoff {
  private final long initialMillis;
  private final long maxMillis;
  private final DoubleSupplier random;

  /** {@code random} yields values in [0, 1). */
  Backoff(long initialMillis, long maxMillis, DoubleSupplier random) {
    if (initialMillis <= 0 || maxMillis < initialMillis) {
      throw new IllegalArgumentException("backoff needs 0 < initial <= max");
    }
    this.initialMillis = initialMillis;
    this.maxMillis = maxMillis;
    this.random = random;
  }

  /** The step for attempt {@code n} before jitter: initial x 2^n, at most max. */
  long ceiling(int attempt) {
    int shift = Math.min(Math.max(attempt, 0), 30);
    long step = initialMillis << shift;
    return step <= 0 || step > maxMillis ? maxMillis : step;
  }

  /**
   * The delay before attempt {@code attempt}.
   *
   * @param retryAfterMillis the server's hint from the last {@code error}, 0 when none
   * @param goingAway the connection closed with 1001 and this is the first attempt
   */
  long delay(int attempt, long retryAfterMillis, boolean goingAway) {
    long backoff;
    if (goingAway && attempt == 0) {
      backoff = (long) (random.getAsDouble() * initialMillis);
    } else {
      long step = ceiling(attempt);
      backoff = step / 2 + (long) (random.getAsDouble() * (step - step / 2));
    }
    if (retryAfterMillis > 0) {
      long floor = retryAfterMillis + (long) (random.getAsDouble() * (retryAfterMillis / 5));
      return Math.max(backoff, floor);
    }
    return backoff;
  }
}
