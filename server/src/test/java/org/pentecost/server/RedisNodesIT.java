package org.pentecost.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.RedisServerProcess;
import org.pentecost.server.testing.RedisTestClient;
import org.pentecost.server.testing.RedisTests;
import org.pentecost.server.testing.ServerProcess;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.TestServer.Response;
import org.pentecost.server.testing.WsClient;

/** Real nodes on one Redis: they serve one set of sessions, counts and limits. */
class RedisNodesIT {
  private static final String SECRET = "redis-nodes-it-shared-secret-0123456789";

  @TempDir static Path dirA;
  @TempDir static Path dirB;
  static String prefix;
  static TestServer a;
  static TestServer b;

  @BeforeAll
  static void start() {
    if (RedisTests.pingProblem(RedisTests.URL) != null) {
      return; // each test then reports the skip (or, under CI, fails)
    }
    prefix = RedisTests.randomPrefix();
    a = TestServer.start(dirA, settings(RedisTests.URL));
    b = TestServer.start(dirB, settings(RedisTests.URL));
  }

  @BeforeEach
  void redisIsThere() {
    RedisTests.requireRedis();
  }

  @AfterAll
  static void stop() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    if (prefix != null) {
      RedisTests.deleteKeys(RedisTests.URL, prefix);
    }
  }

  private static Map<String, String> settings(String url) {
    Map<String, String> s = new HashMap<>(RedisTests.nodeSettings(url, prefix));
    s.put("auth.hmacSecret", SECRET); // every node must verify every node's tokens
    s.put("limits.sessionCreatesPerHour", "3");
    s.put("limits.trustedNetworks", "127.0.0.0/8");
    s.put("sessions.maxListeners", "3");
    s.put("store.nodeLease", "1500ms");
    return s;
  }

  @Test
  void aNodeOnRedisServesTheSessionApiAndReportsItsStore() {
    Response health = a.get("/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().get("storeType").asText()).isEqualTo("redis");
    assertThat(health.json().get("store").asText()).isEqualTo("connected");
    // with Redis the default node id is the host name plus a suffix: unique per process
    assertThat(a.server().nodeId()).isNotEqualTo(b.server().nodeId());

    String token = a.token("api-user");
    String id = a.createSession(token, "es");
    try (RedisTestClient redis = new RedisTestClient(RedisTests.URL)) {
      assertThat(redis.call("EXISTS", prefix + "session:{" + id + "}")).isEqualTo(1L);
    }
    assertThat(a.get("/sessions/" + id).json().get("sourceLanguage").asText()).isEqualTo("es");
    assertThat(a.send("GET", "/sessions", token, null).json().findValuesAsText("sessionId"))
        .containsExactly(id);
    assertThat(patch(a, id, token, "{\"status\":\"paused\"}").status()).isEqualTo(200);
    assertThat(a.send("DELETE", "/sessions/" + id, token, null).status()).isEqualTo(204);
    assertThat(a.get("/sessions/" + id).json().get("status").asText()).isEqualTo("ended");
  }

  @Test
  void aSessionCreatedOnOneNodeIsReadChangedAndEndedOnTheOther() {
    String token = a.token("sharer");
    String id = a.createSession(token, "en");
    assertThat(b.get("/sessions/" + id).status()).isEqualTo(200);
    assertThat(b.send("GET", "/sessions", token, null).json().findValuesAsText("sessionId"))
        .containsExactly(id);

    Response paused = patch(b, id, token, "{\"status\":\"paused\",\"qualityTier\":\"premium\"}");
    assertThat(paused.status()).isEqualTo(200);
    JsonNode onA = a.get("/sessions/" + id).json();
    assertThat(onA.get("status").asText()).isEqualTo("paused");
    assertThat(onA.get("qualityTier").asText()).isEqualTo("premium");

    assertThat(patch(a, id, b.token("someone-else"), "{\"status\":\"active\"}").status())
        .isEqualTo(403);
    assertThat(b.send("DELETE", "/sessions/" + id, token, null).status()).isEqualTo(204);
    assertThat(a.get("/sessions/" + id).json().get("status").asText()).isEqualTo("ended");
    assertThat(patch(a, id, token, "{\"status\":\"active\"}").code())
        .isEqualTo("INVALID_TRANSITION");
  }

  @Test
  void theSessionCreationLimitHoldsAcrossNodes() {
    String token = a.token("limited");
    a.createSession(token, "en");
    b.createSession(token, "en");
    a.createSession(token, "en");
    for (TestServer node : new TestServer[] {b, a}) {
      Response refused = node.send("POST", "/sessions", token, "{\"sourceLanguage\":\"en\"}");
      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.code()).isEqualTo("RATE_LIMITED");
      assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1_000L, 1_200L);
    }
    // other users have budgets of their own
    b.createSession(b.token("unlimited"), "en");
  }

  @Test
  void listenersAreCountedAndCappedAcrossNodes() {
    String id = a.createSession(a.token("counted"), "en");
    try (WsClient onA = WsClient.connect(a, "sessionId=" + id + "&targetLanguage=es");
        WsClient onB1 = WsClient.connect(b, "sessionId=" + id + "&targetLanguage=fr");
        WsClient onB2 = WsClient.connect(b, "sessionId=" + id + "&targetLanguage=fr")) {
      onA.awaitType("sessionJoined");
      onB1.awaitType("sessionJoined");
      onB2.awaitType("sessionJoined");
      JsonNode counts = a.get("/sessions/" + id).json();
      assertThat(counts.get("listenerCount").asInt()).isEqualTo(3);
      assertThat(counts.get("listenersByLanguage").get("es").asInt()).isEqualTo(1);
      assertThat(counts.get("listenersByLanguage").get("fr").asInt()).isEqualTo(2);
      try (WsClient fourth = WsClient.connect(a, "sessionId=" + id + "&targetLanguage=de")) {
        assertThat(fourth.next().get("code").asText()).isEqualTo("SESSION_FULL");
      }
      onB2.closeNormally();
      b.awaitListenerCount(id, 2);
      a.awaitListenerCount(id, 2);
    }
    a.awaitListenerCount(id, 0);
  }

  @Test
  void aNodeStartsWithoutRedisReportsItAndRecoversWhenRedisComes() throws Exception {
    try (RedisServerProcess own = RedisServerProcess.start()) {
      own.kill();
      Map<String, String> s = settings(own.url());
      s.put("store.timeout", "500ms");
      try (TestServer lonely = TestServer.start(dirA.resolve("lonely"), s)) {
        Response health = lonely.get("/health");
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.json().get("store").asText()).isEqualTo("unavailable");
        assertThat(health.json().get("storeType").asText()).isEqualTo("redis");

        String token = lonely.token("patient");
        long start = System.nanoTime();
        Response refused = lonely.send("POST", "/sessions", token, "{\"sourceLanguage\":\"en\"}");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.code()).isEqualTo("SERVICE_UNAVAILABLE");
        assertThat(lonely.get("/sessions/any-code-123").status()).isEqualTo(503);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);

        own.restart();
        await().atMost(Duration.ofSeconds(10)).until(() -> lonely.get("/health").status() == 200);
        String id = lonely.createSession(token, "en");
        assertThat(lonely.get("/sessions/" + id).status()).isEqualTo(200);

        // and once more while it runs: joins are refused with a clear 503 too
        own.kill();
        assertThat(lonely.get("/sessions/" + id).status()).isEqualTo(503);
        try (WsClient late = WsClient.connect(lonely, "sessionId=" + id + "&targetLanguage=es")) {
          assertThat(late.next().get("code").asText()).isEqualTo("SERVICE_UNAVAILABLE");
          assertThat(late.awaitClose()).isEqualTo(4503);
        }
        own.restart();
        await().atMost(Duration.ofSeconds(10)).until(() -> lonely.get("/health").status() == 200);
      }
    }
  }

  @Test
  void theCommandLineServesOnRedis() throws Exception {
    Path config =
        Files.writeString(
            dirB.resolve("cli.yaml"), "store:\n  redis:\n    keyPrefix: \"" + prefix + "\"\n");
    try (ServerProcess p =
        ServerProcess.serve(
            dirB.resolve("cli"),
            "--store",
            "redis",
            "--redis-url",
            RedisTests.URL,
            "--config",
            config.toString())) {
      HttpResponse<String> health =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.port() + "/health"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).contains("\"storeType\":\"redis\"");
      // the banner's columns are its own business: any run of spaces after the label
      assertThat(String.join("\n", p.output()))
          .containsPattern(
              "store\\s+redis standalone " + java.util.regex.Pattern.quote(RedisTests.URL));
    }
  }

  private static Response patch(TestServer node, String id, String token, String body) {
    return node.send("PATCH", "/sessions/" + id, token, body);
  }
}
