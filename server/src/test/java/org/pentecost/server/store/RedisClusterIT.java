package org.pentecost.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.redis.RedisKeys;
import org.pentecost.server.session.ListenerCountStore;
import org.pentecost.server.session.SessionStore;
import org.pentecost.server.testing.RedisClusterProcess;
import org.pentecost.server.testing.RedisTests;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * The stores against a real three-node Redis Cluster of the test's own: every command and script
 * must address one slot, which only a cluster enforces (CROSSSLOT errors).
 */
class RedisClusterIT {
  static RedisClusterProcess cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = RedisClusterProcess.start(3);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  static Map<String, String> settings(String prefix) {
    Map<String, String> s = new HashMap<>(RedisTests.nodeSettings(cluster.url(), prefix));
    s.put("store.redis.mode", "cluster");
    s.put("store.redis.endpoints", String.join(",", cluster.urls().subList(1, 3)));
    s.put("store.redis.poolWaiting", "100000");
    s.put("store.timeout", "30s");
    return s;
  }

  @Nested
  class Sessions extends SessionStoreContract {
    private final List<RedisCommands> clients = new ArrayList<>();

    @Override
    protected SessionStore newStore(Vertx vertx, Clock clock) {
      String prefix = RedisTests.randomPrefix();
      RedisCommands redis = RedisCommands.create(vertx, RedisTests.storeConfig(settings(prefix)));
      clients.add(redis);
      return new RedisSessionStore(redis, new RedisKeys(prefix), clock);
    }

    @Override
    protected boolean purgeReportsDeletions() {
      return false;
    }

    @AfterEach
    void closeClients() {
      clients.forEach(c -> await(c.close()));
    }
  }

  @Nested
  class Counts extends ListenerCountStoreContract {
    private final List<RedisCommands> clients = new ArrayList<>();
    private final List<RedisListenerCountStore> nodes = new ArrayList<>();

    @Override
    protected ListenerCountStore newStore(Vertx vertx) {
      String prefix = RedisTests.randomPrefix();
      RedisCommands redis = RedisCommands.create(vertx, RedisTests.storeConfig(settings(prefix)));
      clients.add(redis);
      RedisListenerCountStore node =
          new RedisListenerCountStore(
              vertx,
              redis,
              new RedisKeys(prefix),
              "cluster-node",
              Duration.ofSeconds(10),
              Duration.ofHours(1));
      nodes.add(node);
      SessionStoreContract.await(node.start());
      return node;
    }

    @AfterEach
    void closeNodes() {
      nodes.forEach(n -> SessionStoreContract.await(n.close()));
      clients.forEach(c -> SessionStoreContract.await(c.close()));
    }
  }

  @Test
  void twoNodesOnAClusterServeOneService(@TempDir Path dirA, @TempDir Path dirB) {
    Map<String, String> s = settings(RedisTests.randomPrefix());
    s.put("store.timeout", "2s");
    s.put("auth.hmacSecret", "redis-cluster-it-shared-secret-0123456789");
    s.put("limits.sessionCreatesPerHour", "2");
    s.put("limits.trustedNetworks", "127.0.0.0/8");
    try (TestServer a = TestServer.start(dirA, s);
        TestServer b = TestServer.start(dirB, s)) {
      assertThat(a.get("/health").status()).isEqualTo(200);
      String token = a.token("alice");
      String id = a.createSession(token, "en");
      b.createSession(token, "de");
      assertThat(b.send("POST", "/sessions", token, "{\"sourceLanguage\":\"en\"}").status())
          .isEqualTo(429);
      assertThat(b.send("GET", "/sessions", token, null).json().findValuesAsText("sessionId"))
          .hasSize(2)
          .contains(id);
      assertThat(
              b.send("PATCH", "/sessions/" + id, token, "{\"status\":\"paused\"}")
                  .json()
                  .get("status")
                  .asText())
          .isEqualTo("paused");
      try (WsClient onA = WsClient.connect(a, "sessionId=" + id + "&targetLanguage=es");
          WsClient onB = WsClient.connect(b, "sessionId=" + id + "&targetLanguage=es")) {
        onA.awaitType("sessionJoined");
        onB.awaitType("sessionJoined");
        assertThat(a.get("/sessions/" + id).json().get("listenersByLanguage").get("es").asInt())
            .isEqualTo(2);
      }
      b.awaitListenerCount(id, 0);
      for (int u = 1; u <= 6; u++) {
        a.createSession(a.token("user-" + u), "en"); // more session and speaker keys to place
      }
    }
    // the keys spread over the cluster's nodes (each session's keys in its own slot)
    assertThat(cluster.keysPerNode().stream().filter(n -> n > 0).count()).isGreaterThan(1);
  }

  @Test
  void audioCrossesNodesOnACluster(@TempDir Path dirA, @TempDir Path dirB) throws Exception {
    Map<String, String> s = settings(RedisTests.randomPrefix());
    s.put("store.timeout", "2s");
    s.put("auth.hmacSecret", "redis-cluster-it-shared-secret-0123456789");
    s.put("limits.trustedNetworks", "127.0.0.0/8");
    try (TestServer a = TestServer.start(dirA, s);
        TestServer b = TestServer.start(dirB, s)) {
      String token = a.token("alice");
      String id = a.createSession(token, "en");
      try (WsClient speaker =
              WsClient.connect(a, "sessionId=" + id + "&role=speaker&token=" + token);
          WsClient onB = WsClient.connect(b, "sessionId=" + id)) {
        speaker.awaitType("sessionJoined");
        onB.awaitType("sessionJoined");
        // Frames until B's subscription is in place and the first one crosses, then 20 more.
        byte[] first = null;
        for (int i = 0; i < 100 && first == null; i++) {
          speaker.sendBinary(new byte[640]);
          first = onB.pollFrame(Duration.ofMillis(50));
        }
        assertThat(first).as("a frame crossed from A to B").isNotNull();
        long seq = org.pentecost.protocol.AudioFrame.readHeader(first).sequence();
        while (onB.pollFrame(Duration.ofMillis(300)) != null) {
          seq++; // frames of the first loop still in flight
        }
        for (int i = 1; i <= 20; i++) {
          speaker.sendBinary(new byte[640]);
        }
        for (int i = 1; i <= 20; i++) {
          assertThat(org.pentecost.protocol.AudioFrame.readHeader(onB.nextFrame()).sequence())
              .isEqualTo(seq + i);
        }
      }
    }
  }
}
