package org.pentecost.server.ratelimit;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.pentecost.server.metrics.Metrics;
import org.pentecost.server.redis.LuaScript;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.redis.RedisKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token buckets in Redis, shared by every node: a limit holds across the cluster. One script per
 * call refills and takes a token on Redis's clock ({@code TIME}), so nodes with skewed clocks still
 * agree. A bucket is a hash {@code rate:<limit>:<key>} that expires once it would be full again.
 *
 * <p>If Redis fails or does not answer within {@code store.timeout}, the call is allowed (fails
 * open) and counted in {@code pentecost_rate_limiter_failed_open_total}: an outage of the limiter
 * never locks real users out.
 */
public final class RedisRateLimiter implements RateLimiter {
  private static final Logger LOG = LoggerFactory.getLogger(RedisRateLimiter.class);
  private static final LuaScript BUCKET = LuaScript.load("rate_limit");

  private final RedisCommands redis;
  private final RedisKeys keys;
  private final Metrics metrics;
  private final AtomicBoolean failingOpen = new AtomicBoolean();

  public RedisRateLimiter(RedisCommands redis, RedisKeys keys, Metrics metrics) {
    this.redis = redis;
    this.keys = keys;
    this.metrics = metrics;
  }

  @Override
  public Future<RateDecision> tryAcquire(RateLimit limit, String key) {
    return redis
        .eval(
            BUCKET,
            List.of(keys.rate(limit.name(), key)),
            List.of(limit.capacity(), limit.refill(), limit.period().toMillis()))
        .map(
            r -> {
              if (failingOpen.compareAndSet(true, false)) {
                LOG.info("rate limits are enforced again ({})", redis.description());
              }
              return r.get(0).toLong() == 1L
                  ? RateDecision.ALLOWED
                  : new RateDecision(false, Duration.ofMillis(r.get(1).toLong()));
            })
        .recover(
            e -> {
              metrics.rateLimiterFailedOpen(limit.name());
              if (failingOpen.compareAndSet(false, true)) {
                LOG.warn(
                    "rate limits fail open (allowing) until Redis answers: {}", e.getMessage());
              }
              return Future.succeededFuture(RateDecision.ALLOWED);
            });
  }
}
