package org.pentecost.server.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.protocol.CloseCode;
import org.pentecost.server.testing.ManagementClient;
import org.pentecost.server.testing.ManagementClient.Joined;
import org.pentecost.server.testing.RedisNodes;
import org.pentecost.server.testing.RedisTests;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.TestServer.Response;

/** The management API on two nodes sharing one Redis: each serves the other's connections. */
class ManagementAcrossNodesIT {
  @TempDir static Path dir;
  static RedisNodes nodes;
  static TestServer a;
  static TestServer b;
  static String alice;

  @BeforeAll
  static void start() {
    if (RedisTests.pingProblem(RedisTests.URL) != null) {
      return; // each test then reports the skip (or, under CI, fails)
    }
    nodes = RedisNodes.start(dir, 2, settings());
    a = nodes.node(0);
    b = nodes.node(1);
    alice = a.token("alice");
  }

  @BeforeEach
  void redisIsThere() {
    RedisTests.requireRedis();
    // both nodes hear each other's events before a test relies on it
    nodes.awaitConnected();
  }

  @AfterAll
  static void stop() {
    if (nodes != null) {
      nodes.close();
    }
  }

  private static Map<String, String> settings() {
    Map<String, String> s = new HashMap<>(ManagementClient.settings());
    s.put("limits.sessionCreatesPerHour", "100");
    s.put("limits.trustedNetworks", "127.0.0.0/8");
    s.put("backend.clusterTimeout", "1s");
    return s;
  }

  private static Joined listener(TestServer node, String sessionId, String language) {
    return ManagementClient.join(node, "sessionId=" + sessionId + "&targetLanguage=" + language);
  }

  @Test
  void aConnectionHeldByTheOtherNodeIsPushedToDescribedAndClosed() {
    String id = a.createSession(alice, "en");
    ManagementClient onA = ManagementClient.of(a);
    try (Joined l = listener(b, id, "es")) {
      Response post = onA.post(l.connectionId(), "{\"type\":\"progress\",\"done\":1}");
      assertThat(post.status()).isEqualTo(200);
      assertThat(post.json().get("delivered").asBoolean()).isTrue();
      assertThat(l.client().awaitType("progress").get("done").asInt()).isEqualTo(1);

      JsonNode info = onA.get(l.connectionId()).json();
      assertThat(info.get("node").asText()).isEqualTo(b.server().nodeId());
      assertThat(info.get("sessionId").asText()).isEqualTo(id);
      assertThat(info.get("targetLanguage").asText()).isEqualTo("es");
      assertThat(info.get("identity").get("sourceIp").asText()).isEqualTo("127.0.0.1");

      assertThat(onA.delete(l.connectionId()).status()).isEqualTo(204);
      assertThat(l.client().awaitClose()).isEqualTo(CloseCode.CLOSED_BY_BACKEND.code());
      long start = System.nanoTime();
      Response gone = onA.get(l.connectionId());
      assertThat(gone.status()).isEqualTo(410);
      assertThat(gone.code()).isEqualTo("GONE");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("the node that holds no such connection says so, without the deadline")
          .isLessThan(Duration.ofMillis(900));
      assertThat(onA.post(l.connectionId(), "{}").status()).isEqualTo(410);
      assertThat(onA.delete(l.connectionId()).status()).isEqualTo(410);
    }
  }

  @Test
  void aConnectionOfANodeThatIsNoMoreIsGoneAfterTheClusterTimeout() {
    byte[] bytes = new byte[16];
    new java.security.SecureRandom().nextBytes(bytes);
    String stranger = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    long start = System.nanoTime();
    assertThat(ManagementClient.of(a).post(stranger, "{}").status()).isEqualTo(410);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aBroadcastReachesEveryNodeAndSumsTheirCounts() {
    String id = a.createSession(alice, "en");
    try (Joined esA = listener(a, id, "es");
        Joined frA = listener(a, id, "fr");
        Joined esB1 = listener(b, id, "es");
        Joined esB2 = listener(b, id, "es");
        Joined frB = listener(b, id, "fr")) {
      Response es =
          ManagementClient.of(b)
              .broadcast(id, "{\"message\":{\"type\":\"announcement\"},\"language\":\"es\"}");
      assertThat(es.status()).isEqualTo(200);
      assertThat(es.json().get("delivered").asInt()).isEqualTo(3);
      assertThat(es.json().get("dropped").asInt()).isZero();
      for (Joined j : List.of(esA, esB1, esB2)) {
        j.client().awaitType("announcement");
      }
      Response all = ManagementClient.of(a).broadcast(id, "{\"message\":{\"type\":\"everyone\"}}");
      assertThat(all.json().get("delivered").asInt()).isEqualTo(5);
      for (Joined j : List.of(esA, frA, esB1, esB2, frB)) {
        j.client().awaitType("everyone");
      }
      assertThat(frA.client().hasSeen("announcement")).isFalse();
      assertThat(frB.client().hasSeen("announcement")).isFalse();
    }
  }

  @Test
  void aSessionsConnectionsAreListedAcrossNodes() {
    String id = a.createSession(alice, "en");
    List<Joined> joined = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        joined.add(listener(i % 2 == 0 ? a : b, id, "es"));
      }
      List<String> expected = joined.stream().map(Joined::connectionId).sorted().toList();
      List<String> seen = new ArrayList<>();
      List<String> nodes = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        JsonNode page =
            ManagementClient.of(b)
                .list(id, "limit=2" + (cursor == null ? "" : "&cursor=" + cursor))
                .json();
        page.get("items")
            .forEach(
                i -> {
                  seen.add(i.get("connectionId").asText());
                  nodes.add(i.get("node").asText());
                });
        cursor = page.get("next").isNull() ? null : page.get("next").asText();
        pages++;
      } while (cursor != null && pages < 10);
      assertThat(seen).isEqualTo(expected);
      assertThat(pages).isEqualTo(3);
      assertThat(nodes).contains(a.server().nodeId(), b.server().nodeId());
    } finally {
      joined.forEach(Joined::close);
    }
  }
}
