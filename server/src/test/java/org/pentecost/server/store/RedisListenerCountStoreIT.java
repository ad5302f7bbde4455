package org.pentecost.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pentecost.server.config.Durations;
import org.pentecost.server.error.StoreException;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.redis.RedisKeys;
import org.pentecost.server.session.ListenerCountStore;
import org.pentecost.server.testing.RedisServerProcess;
import org.pentecost.server.testing.RedisTestClient;
import org.pentecost.server.testing.RedisTests;

/**
 * The listener count contract against a real Redis, and what only a shared store promises: one
 * capacity across nodes, counts of dead nodes gone within the lease, no drift after an outage.
 */
class RedisListenerCountStoreIT extends ListenerCountStoreContract {
  private final List<RedisListenerCountStore> nodes = new ArrayList<>();
  private final List<RedisCommands> clients = new ArrayList<>();
  private String prefix;

  @Override
  protected ListenerCountStore newStore(Vertx vertx) {
    RedisTests.requireRedis(); // in @BeforeEach: each test reports the skip
    prefix = RedisTests.randomPrefix();
    return node("node-a", RedisTests.URL, "30s", "10s");
  }

  private RedisListenerCountStore node(String nodeId, String url, String timeout, String lease) {
    Map<String, String> settings = new HashMap<>(RedisTests.nodeSettings(url, prefix));
    settings.put("store.timeout", timeout);
    settings.put("store.redis.poolWaiting", "100000");
    RedisCommands redis = RedisCommands.create(vertx, RedisTests.storeConfig(settings));
    clients.add(redis);
    RedisListenerCountStore node =
        new RedisListenerCountStore(
            vertx,
            redis,
            new RedisKeys(prefix),
            nodeId,
            Durations.parse(lease),
            Duration.ofHours(1));
    nodes.add(node);
    done(node.start());
    return node;
  }

  @AfterEach
  void stopNodes() {
    for (RedisListenerCountStore node : nodes) {
      node.close().toCompletionStage().toCompletableFuture().exceptionally(e -> null).join();
    }
    RedisTests.deleteKeys(RedisTests.URL, prefix);
    clients.forEach(c -> done(c.close()));
  }

  private static <T> T done(Future<T> f) {
    return SessionStoreContract.await(f);
  }

  @Test
  void theCapacityHoldsAcrossNodes() {
    RedisListenerCountStore a = (RedisListenerCountStore) counts;
    RedisListenerCountStore b = node("node-b", RedisTests.URL, "5s", "10s");
    assertThat(done(a.tryAdd("S1", "en", 3))).isTrue();
    assertThat(done(b.tryAdd("S1", "en", 3))).isTrue();
    assertThat(done(b.tryAdd("S1", "fr", 3))).isTrue();
    assertThat(done(a.tryAdd("S1", "en", 3))).isFalse();
    assertThat(done(b.tryAdd("S1", "de", 3))).isFalse();
    assertThat(done(a.counts("S1"))).isEqualTo(Map.of("en", 2, "fr", 1));
    // a node removes only its own listeners
    done(a.remove("S1", "fr"));
    assertThat(done(b.counts("S1"))).isEqualTo(Map.of("en", 2, "fr", 1));
    done(b.remove("S1", "fr"));
    assertThat(done(a.tryAdd("S1", "de", 3))).isTrue();
    assertThat(done(b.counts("S1"))).isEqualTo(Map.of("en", 2, "de", 1));
  }

  @Test
  void eachDemandChangeIsToldByTheOneNodeWhoseChangeMadeIt() {
    RedisListenerCountStore a = (RedisListenerCountStore) counts;
    RedisListenerCountStore b = node("node-b", RedisTests.URL, "5s", "10s");
    List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
    a.onDemandChange((s, language, up) -> told.add("a:" + s + ":" + language + ":" + up));
    b.onDemandChange((s, language, up) -> told.add("b:" + s + ":" + language + ":" + up));
    done(a.tryAdd("S1", "es", 10));
    done(b.tryAdd("S1", "es", 10));
    done(a.remove("S1", "es"));
    assertThat(told).containsExactly("a:S1:es:true");
    done(b.move("S1", "es", "fr"));
    assertThat(told).containsExactly("a:S1:es:true", "b:S1:es:false", "b:S1:fr:true");
  }

  @Test
  void theNodeThatReapsADeadNodeTellsTheLanguagesLeftWithoutListeners() {
    List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
    counts.onDemandChange((s, language, up) -> told.add(s + ":" + language + ":" + up));
    RedisListenerCountStore x = node("node-x", RedisTests.URL, "1s", "2s");
    RedisListenerCountStore y = node("node-y", RedisTests.URL, "1s", "2s");
    y.onDemandChange((s, language, up) -> told.add(s + ":" + language + ":" + up));
    done(x.tryAdd("S1", "en", 10));
    done(x.tryAdd("S2", "es", 10));
    done(y.tryAdd("S1", "en", 10));
    x.stopAsIfKilled();
    await().atMost(Duration.ofSeconds(5)).until(() -> done(y.counts("S2")).isEmpty());
    await().atMost(Duration.ofSeconds(2)).until(() -> told.contains("S2:es:false"));
    sleep(1_000); // every node sweeps meanwhile: still told once
    assertThat(told).containsExactly("S2:es:false");
  }

  @Test
  void keysFollowTheDocumentedLayout() {
    RedisListenerCountStore a = (RedisListenerCountStore) counts;
    done(a.tryAdd("S1", "en", 10));
    done(a.tryAdd("S1", "en", 10));
    String member = a.member();
    assertThat(member).startsWith("node-a/");
    try (RedisTestClient redis = new RedisTestClient(RedisTests.URL)) {
      String hash = prefix + "listeners:{S1}";
      assertThat(redis.call("HGETALL", hash)).isEqualTo(List.of(member + "|en", "2"));
      assertThat((Long) redis.call("PTTL", hash)).isBetween(3_000_000L, 3_600_000L);
      assertThat((Long) redis.call("PTTL", prefix + "node:{" + member + "}")).isBetween(1L, 6_667L);
      assertThat(redis.call("SMEMBERS", prefix + "nodes")).isEqualTo(List.of(member));
      assertThat(redis.call("SMEMBERS", prefix + "node:{" + member + "}:sessions"))
          .isEqualTo(List.of("S1"));
    }
  }

  @Test
  void theCountsOfANodeThatDiesLeaveWithinTheLease() {
    RedisListenerCountStore a = node("node-x", RedisTests.URL, "1s", "2s");
    RedisListenerCountStore b = node("node-y", RedisTests.URL, "1s", "2s");
    done(a.tryAdd("S1", "en", 10));
    done(a.tryAdd("S1", "en", 10));
    done(a.tryAdd("S2", "es", 10));
    done(b.tryAdd("S1", "fr", 10));
    String dead = a.member();
    long killed = System.nanoTime();
    a.stopAsIfKilled();
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> done(b.counts("S1")).equals(Map.of("fr", 1)));
    long gone = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    assertThat(gone)
        .as("ms until the dead node's listeners left")
        .isLessThan(2_000 + 750); // the lease, plus a margin for a busy machine
    await().atMost(Duration.ofSeconds(2)).until(() -> done(b.counts("S2")).isEmpty());
    try (RedisTestClient redis = new RedisTestClient(RedisTests.URL)) {
      assertThat(redis.call("SISMEMBER", prefix + "nodes", dead)).isEqualTo(0L);
      assertThat(redis.call("EXISTS", prefix + "node:{" + dead + "}:sessions")).isEqualTo(0L);
    }
  }

  @Test
  void aRestartedNodeClearsItsEarlierCountsAtOnce() {
    RedisListenerCountStore before = node("web-1", RedisTests.URL, "1s", "10s");
    done(before.tryAdd("S1", "en", 10));
    done(before.tryAdd("S1", "en", 10));
    before.stopAsIfKilled();
    RedisListenerCountStore other = node("web-2", RedisTests.URL, "1s", "10s");
    done(other.tryAdd("S1", "fr", 10));
    RedisListenerCountStore after = node("web-1", RedisTests.URL, "1s", "10s");
    // long before the 10 s lease of the killed incarnation runs out
    assertThat(done(after.counts("S1"))).isEqualTo(Map.of("fr", 1));
    assertThat(after.member()).isNotEqualTo(before.member()).startsWith("web-1/");
  }

  @Test
  void aNodeThatStopsCleanlyTakesItsCountsAlong() {
    RedisListenerCountStore a = node("node-x", RedisTests.URL, "1s", "10s");
    RedisListenerCountStore b = node("node-y", RedisTests.URL, "1s", "10s");
    done(a.tryAdd("S1", "en", 10));
    done(b.tryAdd("S1", "en", 10));
    done(a.close());
    assertThat(done(b.counts("S1"))).isEqualTo(Map.of("en", 1));
    // after close, changes stay local and fail
    assertThat(a.tryAdd("S1", "en", 10).toCompletionStage().toCompletableFuture())
        .failsWithin(5, TimeUnit.SECONDS);
  }

  @Test
  void anUnreachableRedisRefusesJoinsQuickly() {
    String closedPort = "redis://127.0.0.1:" + RedisServerProcess.freePort();
    RedisListenerCountStore down = node("node-d", closedPort, "1s", "10s");
    long start = System.nanoTime();
    assertThat(down.tryAdd("S1", "en", 10).toCompletionStage().toCompletableFuture())
        .failsWithin(5, TimeUnit.SECONDS)
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(StoreException.class);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3_000);
  }

  @Test
  void countsAreRightAgainAfterRedisRestartsEmpty() {
    try (RedisServerProcess own = RedisServerProcess.start()) {
      RedisListenerCountStore a = node("node-r", own.url(), "500ms", "1500ms");
      for (int i = 0; i < 3; i++) {
        assertThat(done(a.tryAdd("S1", "en", 10))).isTrue();
      }
      done(a.tryAdd("S2", "de", 10));
      own.kill();
      // leaves and switches during the outage: the node applies them to its own counts
      assertThat(a.remove("S1", "en").toCompletionStage().toCompletableFuture())
          .failsWithin(5, TimeUnit.SECONDS);
      assertThat(a.move("S1", "en", "fr").toCompletionStage().toCompletableFuture())
          .failsWithin(5, TimeUnit.SECONDS);
      assertThat(a.tryAdd("S1", "en", 10).toCompletionStage().toCompletableFuture())
          .failsWithin(5, TimeUnit.SECONDS);
      own.restart(); // empty: no persistence
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(
              () -> {
                assertThat(done(a.counts("S1"))).isEqualTo(Map.of("en", 1, "fr", 1));
                assertThat(done(a.counts("S2"))).isEqualTo(Map.of("de", 1));
              });
    }
  }

  @Test
  void countsDoNotDriftWhenAStalledRedisAppliesLateCommands() {
    try (RedisServerProcess own = RedisServerProcess.start()) {
      RedisListenerCountStore a = node("node-s", own.url(), "300ms", "1500ms");
      RedisListenerCountStore b = node("node-t", own.url(), "300ms", "1500ms");
      done(a.tryAdd("S1", "en", 10));
      done(a.tryAdd("S1", "en", 10));
      done(b.tryAdd("S1", "en", 10));
      own.pause();
      // these reach Redis but are answered only after their callers gave up
      List<Future<?>> late = new ArrayList<>();
      late.add(a.tryAdd("S1", "en", 10));
      late.add(a.remove("S1", "en"));
      late.add(a.tryAdd("S1", "fr", 10));
      late.add(b.remove("S1", "en"));
      for (Future<?> f : late) {
        assertThat(f.toCompletionStage().toCompletableFuture()).failsWithin(5, TimeUnit.SECONDS);
      }
      own.resume();
      // a: 2 en, minus one removed = 1 en (its two adds failed: nobody joined); b: 0
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(() -> assertThat(done(a.counts("S1"))).isEqualTo(Map.of("en", 1)));
      // and it stays so
      sleep(1_000);
      assertThat(done(b.counts("S1"))).isEqualTo(Map.of("en", 1));
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
