package org.pentecost.server.redis;

import io.vertx.redis.client.Command;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Which Redis commands are tried again, and when. A command is retried only if running it twice is
 * the same as running it once, in its effect and in its reply: the read-only commands below. Every
 * write and every script is sent once, because a first attempt may have been applied although its
 * reply was lost:
 *
 * <ul>
 *   <li>{@code SET NX} (a session's create) would find its own key and report a collision;
 *   <li>{@code session_replace} (compare the version, then set) would report a version conflict;
 *   <li>{@code rate_limit} would take a second token; {@code sessions_expired} would lose the ids
 *       the first attempt took;
 *   <li>{@code listeners_write} writes absolute counts, but its reply names the languages it took
 *       to or from 0, which a repeat would not: the demand change would be lost. The count store
 *       already writes a failed session's counts again every lease period;
 *   <li>the lease ({@code SET ... GET}), the sweep's reaping and the best-effort index writes run
 *       again on their own period.
 * </ul>
 *
 * <p>A read is retried only after a failure that came quickly and says Redis cannot serve now (see
 * {@link RedisFailures#UNAVAILABLE}: a pooled connection found closed after a Redis restart or
 * failover, LOADING, TRYAGAIN...), never after a timeout, and only while the breaker allows calls.
 * Every attempt shares the command's one deadline ({@code store.timeout}), so a caller never waits
 * longer than it would without retries.
 */
public final class RetryPolicy {
  /** At most this many attempts of one read: the first and three retries. */
  public static final int MAX_ATTEMPTS = 4;

  /** The pause before the first retry; each next one is three times longer, up to the cap. */
  public static final long FIRST_DELAY_MILLIS = 25;

  public static final long MAX_DELAY_MILLIS = 250;

  /** A retry that would have less time than this before the deadline is not worth sending. */
  public static final long MIN_ATTEMPT_MILLIS = 50;

  /** Read-only commands, by name: the ones whose repetition changes nothing. */
  private static final Set<String> READS =
      Set.of(
          "GET",
          "MGET",
          "HGET",
          "HGETALL",
          "HMGET",
          "LRANGE",
          "LLEN",
          "ZRANGE",
          "ZSCORE",
          "ZCARD",
          "SMEMBERS",
          "SISMEMBER",
          "SCARD",
          "EXISTS",
          "PTTL",
          "TTL",
          "PUBSUB",
          "TIME");

  private RetryPolicy() {}

  /** Whether {@code command} may be sent again after a failure. */
  public static boolean retries(Command command) {
    return READS.contains(command.toString().toUpperCase(Locale.ROOT));
  }

  /**
   * How long to wait before attempt {@code next} (2 for the first retry) after {@code failure},
   * with {@code remainingMillis} left before the deadline; -1 for no retry.
   */
  public static long delayBefore(int next, Throwable failure, long remainingMillis) {
    if (next > MAX_ATTEMPTS || RedisFailures.of(failure) != RedisFailures.UNAVAILABLE) {
      return -1;
    }
    long delay = backoff(next);
    return remainingMillis - delay >= MIN_ATTEMPT_MILLIS ? delay : -1;
  }

  /**
   * The pause before attempt {@code next}: 25, 75, 225 ms..., capped, less up to a half (jitter).
   */
  static long backoff(int next) {
    long full = FIRST_DELAY_MILLIS;
    for (int i = 2; i < next && full < MAX_DELAY_MILLIS; i++) {
      full *= 3;
    }
    full = Math.min(full, MAX_DELAY_MILLIS);
    return full - ThreadLocalRandom.current().nextLong(full / 2 + 1);
  }
}
