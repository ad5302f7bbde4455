package org.pentecost.server.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * In-process buckets (Bucket4j), one per limit and key, forgotten after a period of disuse so that
 * a stream of distinct IPs cannot grow memory without bound.
 */
public final class LocalRateLimiter implements RateLimiter {
  private final Cache<String, Bucket> buckets;

  public LocalRateLimiter(Duration forgetAfter, long maxKeys) {
    this.buckets =
        Caffeine.newBuilder().expireAfterAccess(forgetAfter).maximumSize(maxKeys).build();
  }

  @Override
  public Future<RateDecision> tryAcquire(RateLimit limit, String key) {
    return Future.succeededFuture(acquire(limit, key));
  }

  /** The synchronous form, for callers on the request path that need no future. */
  public RateDecision acquire(RateLimit limit, String key) {
    Bucket bucket = buckets.get(limit.name() + '\u0000' + key, k -> newBucket(limit));
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    return probe.isConsumed()
        ? RateDecision.ALLOWED
        : new RateDecision(false, Duration.ofNanos(probe.getNanosToWaitForRefill()));
  }

  /** A single bucket outside the keyed cache (e.g. the server-wide throttle). */
  public static Bucket newBucket(RateLimit limit) {
    return Bucket.builder()
        .addLimit(
            Bandwidth.builder()
                .capacity(limit.capacity())
                .refillGreedy(limit.refill(), limit.period())
                .build())
        .build();
  }
}
