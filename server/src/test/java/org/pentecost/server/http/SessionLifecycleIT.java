package org.pentecost.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.auth.HmacSecret;
import org.pentecost.server.auth.TokenMinter;
import org.pentecost.server.testing.ServerProcess;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.TestServer.Response;

/** Restarts, hard kills, expiry, limits and concurrency, each with a node of its own. */
class SessionLifecycleIT {
  @TempDir Path dir;

  @Test
  void sessionsSurviveACleanRestart() {
    String id;
    String token;
    try (TestServer first = TestServer.start(dir)) {
      token = first.token("alice");
      id = first.createSession(token, "es");
      assertThat(first.send("PATCH", "/sessions/" + id, token, "{\"status\":\"paused\"}").status())
          .isEqualTo(200);
    }
    try (TestServer second = TestServer.start(dir)) {
      Response r = second.get("/sessions/" + id);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("status").asText()).isEqualTo("paused");
      assertThat(r.json().get("sourceLanguage").asText()).isEqualTo("es");
      // the secret was kept, so the old token still works
      assertThat(second.send("GET", "/sessions", token, null).json().findValuesAsText("sessionId"))
          .containsExactly(id);
    }
  }

  @Test
  void sessionsSurviveKillDashNine() throws Exception {
    String id;
    try (ServerProcess process = ServerProcess.serve(dir)) {
      String token =
          TokenMinter.mint(
              HmacSecret.loadOrCreate(dir, ""),
              "pentecost",
              "alice",
              Duration.ofHours(1),
              java.time.Clock.systemUTC());
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + process.port();
      HttpResponse<String> created =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/sessions"))
                  .header("Authorization", "Bearer " + token)
                  .POST(HttpRequest.BodyPublishers.ofString("{\"sourceLanguage\":\"fr\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).isEqualTo(201);
      id = created.body().replaceAll(".*\"sessionId\":\"([^\"]+)\".*", "$1");
      HttpResponse<String> paused =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/sessions/" + id))
                  .header("Authorization", "Bearer " + token)
                  .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"status\":\"paused\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(paused.statusCode()).isEqualTo(200);
      process.kill();
    }
    try (TestServer after = TestServer.start(dir)) {
      Response r = after.get("/sessions/" + id);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("status").asText()).isEqualTo("paused");
      assertThat(r.json().get("sourceLanguage").asText()).isEqualTo("fr");
    }
  }

  @Test
  void sessionsExpireAfterTheirTtlAndArePurged() {
    try (TestServer server =
        TestServer.start(dir, Map.of("sessions.ttl", "1500ms", "sessions.purgeInterval", "1s"))) {
      String token = server.token("alice");
      String id = server.createSession(token, "en");
      assertThat(server.get("/sessions/" + id).status()).isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(server.get("/sessions/" + id).status()).isEqualTo(404));
      assertThat(server.send("GET", "/sessions", token, null).json().size()).isZero();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(
                          server
                              .server()
                              .sessions()
                              .purgeExpired()
                              .toCompletionStage()
                              .toCompletableFuture()
                              .join())
                      .isZero());
    }
  }

  @Test
  void sessionCreationIsLimitedPerUserWithRetryAfter() {
    try (TestServer server = TestServer.start(dir, Map.of("limits.sessionCreatesPerHour", "3"))) {
      String alice = server.token("alice");
      for (int i = 0; i < 3; i++) {
        server.createSession(alice, "en");
      }
      Response limited = server.send("POST", "/sessions", alice, "{\"sourceLanguage\":\"en\"}");
      assertThat(limited.status()).isEqualTo(429);
      assertThat(limited.code()).isEqualTo("RATE_LIMITED");
      long retryAfter = Long.parseLong(limited.header("Retry-After"));
      assertThat(retryAfter).isBetween(1L, 3600L);
      // another user is not affected
      assertThat(server.createSession(server.token("bob"), "en")).isNotBlank();
      assertThat(server.get("/metrics").body())
          .containsPattern(
              "pentecost_rate_limited_total\\{[^}]*limit=\"session_create\"[^}]*\\} 1.0");
    }
  }

  @Test
  void theServerWideThrottleAnswers429WithRetryAfter() {
    try (TestServer server =
        TestServer.start(
            dir, Map.of("limits.httpBurst", "5", "limits.httpRequestsPerSecond", "1"))) {
      List<Integer> statuses = new ArrayList<>();
      Response last = null;
      for (int i = 0; i < 10; i++) {
        last = server.get("/languages");
        statuses.add(last.status());
      }
      assertThat(statuses.stream().filter(s -> s == 200).count()).isBetween(5L, 6L);
      assertThat(statuses).contains(429);
      assertThat(last.code()).isEqualTo("THROTTLED");
      assertThat(last.header("Retry-After")).isEqualTo("1");
    }
  }

  @Test
  void tenThousandConcurrentCreationsGetDistinctCodes() throws Exception {
    int total = 10_000;
    try (TestServer server =
        TestServer.start(dir, Map.of("limits.sessionCreatesPerHour", "1000000"))) {
      String token = server.token("alice");
      Semaphore inFlight = new Semaphore(64);
      List<CompletableFuture<Response>> all = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        inFlight.acquire();
        CompletableFuture<Response> f =
            server.sendAsync("POST", "/sessions", token, "{\"sourceLanguage\":\"en\"}", Map.of());
        f.whenComplete((r, e) -> inFlight.release());
        all.add(f);
      }
      Set<String> ids = new HashSet<>();
      for (CompletableFuture<Response> f : all) {
        Response r = f.get();
        assertThat(r.status()).isEqualTo(201);
        ids.add(r.json().get("sessionId").asText());
      }
      assertThat(ids).hasSize(total);
      assertThat(server.send("GET", "/sessions", token, null).json().size()).isEqualTo(total);
    }
  }
}
