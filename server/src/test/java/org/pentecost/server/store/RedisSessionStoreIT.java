package org.pentecost.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pentecost.server.error.StoreException;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.redis.RedisKeys;
import org.pentecost.server.session.QualityTier;
import org.pentecost.server.session.Session;
import org.pentecost.server.session.SessionStatus;
import org.pentecost.server.session.SessionStore;
import org.pentecost.server.testing.RedisServerProcess;
import org.pentecost.server.testing.RedisTestClient;
import org.pentecost.server.testing.RedisTests;
import org.pentecost.server.util.Json;

/** The session store contract against a real Redis, plus what only the Redis store promises. */
class RedisSessionStoreIT extends SessionStoreContract {
  private final List<RedisCommands> clients = new ArrayList<>();
  private String prefix;

  @Override
  protected SessionStore newStore(Vertx vertx, Clock clock) {
    RedisTests.requireRedis(); // in @BeforeEach: each test reports the skip
    prefix = RedisTests.randomPrefix();
    return store(vertx, clock, RedisTests.URL, "30s");
  }

  @Override
  protected boolean purgeReportsDeletions() {
    return false;
  }

  private SessionStore store(Vertx vertx, Clock clock, String url, String timeout) {
    Map<String, String> settings = new HashMap<>(RedisTests.nodeSettings(url, prefix));
    settings.put("store.timeout", timeout);
    // the contract's concurrency tests put thousands of commands in flight at once
    settings.put("store.redis.poolWaiting", "100000");
    RedisCommands redis = RedisCommands.create(vertx, RedisTests.storeConfig(settings));
    clients.add(redis);
    return new RedisSessionStore(redis, new RedisKeys(prefix), clock);
  }

  @AfterEach
  void dropKeysAndClients() {
    RedisTests.deleteKeys(RedisTests.URL, prefix);
    clients.forEach(c -> await(c.close()));
  }

  @Test
  void keysAndLifetimesFollowTheDocumentedLayout() {
    Session s = session("ABC123", "alice", T0, HOUR);
    await(store.create(s));
    try (RedisTestClient redis = new RedisTestClient(RedisTests.URL)) {
      String key = prefix + "session:{ABC123}";
      assertThat(redis.call("GET", key)).isEqualTo(Json.write(s));
      assertThat((Long) redis.call("PTTL", key)).isBetween(HOUR - 60_000, HOUR);
      String index = prefix + "speaker:{alice}";
      assertThat(redis.call("ZSCORE", index, "ABC123")).isEqualTo(Long.toString(T0 + HOUR));
      assertThat((Long) redis.call("PTTL", index)).isBetween(HOUR - 60_000, HOUR);
      String expiring = prefix + "sessions:expiring";
      assertThat(redis.call("ZSCORE", expiring, "ABC123")).isEqualTo(Long.toString(T0 + HOUR));
      assertThat(redis.keys(prefix)).containsExactlyInAnyOrder(key, index, expiring);
    }
  }

  @Test
  void expiredIndexEntriesAreDroppedOnTheNextCreate() {
    await(store.create(session("OLD001", "alice", T0, 1_000)));
    clock.advance(5_000);
    await(store.create(session("NEW001", "alice", clock.millis(), HOUR)));
    try (RedisTestClient redis = new RedisTestClient(RedisTests.URL)) {
      assertThat(redis.call("ZRANGE", prefix + "speaker:{alice}", 0, -1))
          .isEqualTo(List.of("NEW001"));
    }
  }

  @Test
  void twoNodesShareSessions() {
    SessionStore other = store(vertx, clock, RedisTests.URL, "5s");
    Session v1 = session("SHARED", "alice", T0, HOUR);
    assertThat(await(store.create(v1))).isTrue();
    assertThat(await(other.get("SHARED"))).contains(v1);
    assertThat(await(other.create(session("SHARED", "bob", T0, HOUR)))).isFalse();
    Session v2 = v1.next(SessionStatus.PAUSED, "fr", QualityTier.PREMIUM, T0 + 1);
    assertThat(await(other.replace(1, v2))).isTrue();
    assertThat(await(store.replace(1, v1.next(SessionStatus.ENDED, "en", v1.qualityTier(), T0))))
        .isFalse();
    assertThat(await(store.findBySpeaker("alice"))).containsExactly(v2);
  }

  @Test
  void scriptsUnknownToTheServerAreSentInFull() {
    Session v1 = session("FLUSH1", "alice", T0, HOUR);
    await(store.create(v1));
    try (RedisTestClient redis = new RedisTestClient(RedisTests.URL)) {
      redis.call("SCRIPT", "FLUSH"); // what a Redis restart or failover does
    }
    Session v2 = v1.next(SessionStatus.PAUSED, "en", QualityTier.STANDARD, T0 + 1);
    assertThat(await(store.replace(1, v2))).isTrue();
    assertThat(await(store.get("FLUSH1"))).contains(v2);
  }

  @Test
  void unreadableDataIsAStoreFailure() {
    try (RedisTestClient redis = new RedisTestClient(RedisTests.URL)) {
      redis.call("SET", prefix + "session:{BROKEN}", "not json");
    }
    assertFailsWithStoreException(store.get("BROKEN"), 10_000);
  }

  @Test
  void anUnreachableRedisFailsFastWithStoreException() {
    String closedPort = "redis://127.0.0.1:" + RedisServerProcess.freePort();
    SessionStore down = store(vertx, clock, closedPort, "2s");
    long start = System.nanoTime();
    assertFailsWithStoreException(down.create(session("DOWN01", "alice", T0, HOUR)), 10_000);
    assertFailsWithStoreException(down.get("DOWN01"), 10_000);
    assertFailsWithStoreException(down.ping(), 10_000);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(6_000);
  }

  @Test
  void aRedisThatNeverAnswersTimesOut() throws Exception {
    try (ServerSocket silent = new ServerSocket(0)) {
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    accepted.add(silent.accept()); // accepts, never answers
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      SessionStore stalled =
          store(vertx, clock, "redis://127.0.0.1:" + silent.getLocalPort(), "300ms");
      long start = System.nanoTime();
      assertFailsWithStoreException(stalled.get("ANY001"), 5_000);
      assertFailsWithStoreException(stalled.ping(), 5_000);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(500L, 4_000L);
    }
  }

  private static void assertFailsWithStoreException(Future<?> f, long withinMillis) {
    assertThat(f.toCompletionStage().toCompletableFuture())
        .failsWithin(withinMillis, TimeUnit.MILLISECONDS)
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(StoreException.class);
  }
}
