package org.pentecost.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.RedisServerProcess;
import org.pentecost.server.testing.RedisTests;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * The circuit breaker on Redis, seen from outside a node: once Redis is found unavailable, store
 * calls answer 503 at once instead of each waiting out {@code store.timeout}, WebSocket joins are
 * refused at once, and when Redis is back the node serves again by itself.
 */
class RedisBreakerIT {
  private static final long TIMEOUT_MILLIS = 3_000;

  /** "At once": a generous third of {@code store.timeout}; not a benchmark. */
  private static final long FAST_MILLIS = TIMEOUT_MILLIS / 3;

  @TempDir Path dir;

  private static Map<String, String> settings(RedisServerProcess redis) {
    Map<String, String> s = RedisTests.nodeSettings(redis.url(), RedisTests.randomPrefix());
    s.put("store.timeout", TIMEOUT_MILLIS + "ms");
    s.put("limits.sessionCreatesPerHour", "1000");
    return s;
  }

  @Test
  void aStalledRedisIsFailedFastAndTheNodeRecoversWhenItAnswersAgain() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start();
        TestServer node = TestServer.start(dir, settings(redis))) {
      String id = node.createSession(node.token("alice"), "en");
      assertThat(node.get("/sessions/" + id).status()).isEqualTo(200);
      assertThat(node.metric("pentecost_store_breaker_state")).isZero();

      redis.pause(); // answers nothing: without the breaker every call waits store.timeout
      List<CompletableFuture<TestServer.Response>> first = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        first.add(node.sendAsync("GET", "/sessions/" + id, null, null, Map.of()));
      }
      for (CompletableFuture<TestServer.Response> r : first) {
        assertThat(r.get(30, TimeUnit.SECONDS).status()).isEqualTo(503);
      }
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> node.metric("pentecost_store_breaker_state") == 2);

      assertFailsFast(node, id);
      try (WsClient late = WsClient.connect(node, "sessionId=" + id + "&targetLanguage=en")) {
        long start = System.nanoTime();
        assertThat(late.next().get("code").asText()).isEqualTo("SERVICE_UNAVAILABLE");
        assertThat(late.awaitClose()).isEqualTo(4503);
        assertThat(millisSince(start)).isLessThan(TIMEOUT_MILLIS + 1_000);
      }

      redis.resume();
      awaitServing(node, id);
    }
  }

  @Test
  void aKilledRedisIsFailedFastAndAnEmptyRestartNeedsNoRestartOfTheNode() throws Exception {
    try (RedisServerProcess redis = RedisServerProcess.start();
        TestServer node = TestServer.start(dir, settings(redis))) {
      String alice = node.token("alice");
      String id = node.createSession(alice, "en");

      redis.kill();
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () ->
                  node.get("/sessions/" + id).status() == 503
                      && node.metric("pentecost_store_breaker_state") == 2);
      assertFailsFast(node, id);

      redis.restart(); // empty: the session (no connections kept it) is gone, Redis is not
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  node.send("POST", "/sessions", alice, "{\"sourceLanguage\":\"en\"}").status()
                      == 201);
      assertThat(node.get("/sessions/" + id).status()).isEqualTo(404);
      awaitServing(node, node.createSession(alice, "en"));
    }
  }

  /**
   * While the breaker is open, GETs answer 503 well within {@link #FAST_MILLIS}. Once a second the
   * breaker lets a few calls probe Redis, and those wait out the timeout: of ten GETs made at once,
   * at most those few are slow.
   */
  private static void assertFailsFast(TestServer node, String id) throws Exception {
    List<CompletableFuture<Long>> gets = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      long start = System.nanoTime();
      gets.add(
          node.sendAsync("GET", "/sessions/" + id, null, null, Map.of())
              .thenApply(
                  r -> {
                    assertThat(r.status()).isEqualTo(503);
                    assertThat(r.code()).isEqualTo("SERVICE_UNAVAILABLE");
                    return millisSince(start);
                  }));
    }
    int fast = 0;
    for (CompletableFuture<Long> g : gets) {
      long took = g.get(30, TimeUnit.SECONDS);
      assertThat(took).isLessThan(TIMEOUT_MILLIS + 1_000);
      if (took < FAST_MILLIS) {
        fast++;
      }
    }
    assertThat(fast).as("GETs answered 503 within %d ms", FAST_MILLIS).isGreaterThanOrEqualTo(7);
  }

  /** 200 again, and the breaker closed (its probes, these GETs among them, got answers). */
  private static void awaitServing(TestServer node, String id) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                node.get("/sessions/" + id).status() == 200
                    && node.metric("pentecost_store_breaker_state") == 0);
  }

  private static long millisSince(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }
}
