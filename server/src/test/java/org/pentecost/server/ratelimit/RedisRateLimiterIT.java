package org.pentecost.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pentecost.server.metrics.Metrics;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.redis.RedisKeys;
import org.pentecost.server.testing.RedisServerProcess;
import org.pentecost.server.testing.RedisTestClient;
import org.pentecost.server.testing.RedisTests;

/** Token buckets in a real Redis: shared by two limiters (two nodes), failing open. */
class RedisRateLimiterIT {
  private final List<RedisCommands> clients = new ArrayList<>();
  private Vertx vertx;
  private Metrics metrics;
  private String prefix;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    metrics = new Metrics("test");
    prefix = RedisTests.randomPrefix();
    RedisTests.requireRedis();
  }

  @AfterEach
  void stop() {
    RedisTests.deleteKeys(RedisTests.URL, prefix);
    clients.forEach(c -> await(c.close()));
    await(vertx.close());
    metrics.close();
  }

  private RedisRateLimiter limiter(String url, String timeout) {
    Map<String, String> settings = new HashMap<>(RedisTests.nodeSettings(url, prefix));
    settings.put("store.timeout", timeout);
    RedisCommands redis = RedisCommands.create(vertx, RedisTests.storeConfig(settings));
    clients.add(redis);
    return new RedisRateLimiter(redis, new RedisKeys(prefix), metrics);
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not succeed", e);
    }
  }

  private double failedOpen(String limit) {
    var counter =
        metrics.registry().find("pentecost.rate.limiter.failed.open").tag("limit", limit).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void twoNodesTakeFromOneBucket() {
    RedisRateLimiter a = limiter(RedisTests.URL, "2s");
    RedisRateLimiter b = limiter(RedisTests.URL, "2s");
    RateLimit limit = RateLimit.perPeriod("session_create", 3, Duration.ofHours(1));
    assertThat(await(a.tryAcquire(limit, "alice")).allowed()).isTrue();
    assertThat(await(b.tryAcquire(limit, "alice")).allowed()).isTrue();
    assertThat(await(a.tryAcquire(limit, "alice")).allowed()).isTrue();
    RateDecision refused = await(b.tryAcquire(limit, "alice"));
    assertThat(refused.allowed()).isFalse();
    // one token comes back every 20 minutes
    assertThat(refused.retryAfter()).isBetween(Duration.ofMinutes(19), Duration.ofMinutes(20));
    assertThat(await(a.tryAcquire(limit, "alice")).allowed()).isFalse();
    assertThat(await(a.tryAcquire(limit, "bob")).allowed()).isTrue();
    assertThat(failedOpen("session_create")).isZero();
  }

  @Test
  void tokensComeBackWithTime() throws Exception {
    RedisRateLimiter a = limiter(RedisTests.URL, "2s");
    RateLimit limit = RateLimit.perPeriod("fast", 2, Duration.ofSeconds(1));
    assertThat(await(a.tryAcquire(limit, "k")).allowed()).isTrue();
    assertThat(await(a.tryAcquire(limit, "k")).allowed()).isTrue();
    RateDecision refused = await(a.tryAcquire(limit, "k"));
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(500));
    Thread.sleep(refused.retryAfter().toMillis() + 50);
    assertThat(await(a.tryAcquire(limit, "k")).allowed()).isTrue();
  }

  @Test
  void aBucketExpiresOnceItWouldBeFull() {
    RedisRateLimiter a = limiter(RedisTests.URL, "2s");
    RateLimit limit = RateLimit.perPeriod("session_create", 50, Duration.ofHours(1));
    await(a.tryAcquire(limit, "alice"));
    try (RedisTestClient redis = new RedisTestClient(RedisTests.URL)) {
      String key = prefix + "rate:session_create:alice";
      // one token used: full again after 72 s
      assertThat((Long) redis.call("PTTL", key)).isBetween(60_000L, 73_000L);
      assertThat(redis.call("HGET", key, "tokens")).isEqualTo("49");
    }
  }

  @Test
  void failsOpenAndCountsItWhenRedisIsUnreachable() {
    RedisRateLimiter down = limiter("redis://127.0.0.1:" + RedisServerProcess.freePort(), "1s");
    RateLimit limit = RateLimit.perPeriod("session_create", 1, Duration.ofHours(1));
    for (int i = 0; i < 3; i++) {
      assertThat(await(down.tryAcquire(limit, "alice")).allowed()).isTrue();
    }
    assertThat(failedOpen("session_create")).isEqualTo(3);
    assertThat(metrics.scrape()).contains("pentecost_rate_limiter_failed_open_total");
  }

  @Test
  void failsOpenWithinTheTimeoutWhenRedisStalls() throws Exception {
    try (ServerSocket silent = new ServerSocket(0)) {
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    accepted.add(silent.accept());
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      RedisRateLimiter stalled = limiter("redis://127.0.0.1:" + silent.getLocalPort(), "300ms");
      long start = System.nanoTime();
      RateDecision d =
          await(stalled.tryAcquire(RateLimit.perPeriod("x", 1, Duration.ofHours(1)), "k"));
      assertThat(d.allowed()).isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3_000);
      assertThat(failedOpen("x")).isEqualTo(1);
    }
  }

  @Test
  void enforcesAgainWhenRedisIsBack() {
    try (RedisServerProcess own = RedisServerProcess.start()) {
      RedisRateLimiter a = limiter(own.url(), "500ms");
      RateLimit limit = RateLimit.perPeriod("session_create", 1, Duration.ofHours(1));
      assertThat(await(a.tryAcquire(limit, "alice")).allowed()).isTrue();
      assertThat(await(a.tryAcquire(limit, "alice")).allowed()).isFalse();
      own.kill();
      assertThat(await(a.tryAcquire(limit, "alice")).allowed()).isTrue();
      own.restart();
      assertThat(await(a.tryAcquire(limit, "alice")).allowed()).isTrue(); // a new, full bucket
      assertThat(await(a.tryAcquire(limit, "alice")).allowed()).isFalse();
    }
  }

  @Test
  void answersOnTheCallersContext() throws Exception {
    RedisRateLimiter a = limiter(RedisTests.URL, "2s");
    RedisRateLimiter down = limiter("redis://127.0.0.1:" + RedisServerProcess.freePort(), "1s");
    Context context = vertx.getOrCreateContext();
    CompletableFuture<List<Boolean>> checks = new CompletableFuture<>();
    RateLimit limit = RateLimit.perPeriod("ctx", 5, Duration.ofMinutes(1));
    context.runOnContext(
        v -> {
          List<Boolean> onContext = new ArrayList<>();
          a.tryAcquire(limit, "k")
              .compose(
                  d -> {
                    onContext.add(Vertx.currentContext() == context);
                    return down.tryAcquire(limit, "k");
                  })
              .onComplete(
                  ar -> {
                    onContext.add(Vertx.currentContext() == context);
                    checks.complete(onContext);
                  });
        });
    assertThat(checks.get(30, TimeUnit.SECONDS)).containsExactly(true, true);
  }
}
