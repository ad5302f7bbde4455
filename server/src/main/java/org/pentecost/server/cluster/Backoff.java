package org.pentecost.server.cluster;

/**
 * How long the broker waits before it tries Redis again: 100 ms after the first failure, doubled by
 * each further one up to 5 s, and back to 100 ms once a connection opens. The broker's two
 * connections (the subscriber and the audio publisher) share one: they reach the same Redis, so a
 * failure of either lengthens the wait and a connection opened by either shortens it.
 */
final class Backoff {
  static final long MIN_MS = 100;
  static final long MAX_MS = 5_000;

  private long next = MIN_MS;

  /** A connection attempt failed: the wait before the next one (the following wait doubles). */
  synchronized long failed() {
    long wait = next;
    next = Math.min(MAX_MS, next * 2);
    return wait;
  }

  /** The wait before the next attempt, as it stands. */
  synchronized long current() {
    return next;
  }

  /** A connection opened: the next failure waits the least again. */
  synchronized void succeeded() {
    next = MIN_MS;
  }
}
