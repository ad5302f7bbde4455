package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * The per-IP limits with the default configuration: a congregation of 300 behind one NAT gets in
 * within a minute, while guessing codes from one IP is mostly refused.
 */
class WsCrowdIT {
  @TempDir Path dir;

  @Test
  void threeHundredListenersFromOneIpJoinOneLiveSessionWithinAMinute() {
    try (TestServer server = TestServer.start(dir)) {
      String id = server.createSession(server.token("pastor"), "en");
      ExecutorService pool = Executors.newFixedThreadPool(16);
      long start = System.nanoTime();
      List<CompletableFuture<WsClient>> joins = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        String lang = List.of("es", "fr", "de").get(i % 3);
        joins.add(
            CompletableFuture.supplyAsync(
                () -> WsClient.connect(server, "sessionId=" + id + "&targetLanguage=" + lang),
                pool));
      }
      Map<String, Integer> outcomes = new HashMap<>();
      List<WsClient> clients = joins.stream().map(CompletableFuture::join).toList();
      for (WsClient c : clients) {
        JsonNode first = c.next();
        String outcome =
            first.get("type").asText().equals("error")
                ? first.get("code").asText()
                : first.get("type").asText();
        outcomes.merge(outcome, 1, Integer::sum);
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(outcomes).containsExactly(Map.entry("sessionJoined", 300));
      assertThat(took).isLessThan(Duration.ofMinutes(1));
      assertThat(server.get("/sessions/" + id).json().get("listenerCount").asInt()).isEqualTo(300);
      clients.forEach(WsClient::close);
      pool.shutdownNow();
    }
  }

  @Test
  void guessingCodesFromOneIpIsMostlyRefused() {
    try (TestServer server = TestServer.start(dir)) {
      Map<String, Integer> outcomes = new HashMap<>();
      for (int i = 0; i < 300; i++) {
        try (WsClient c = WsClient.connect(server, "sessionId=blessed-shepherd-" + (100 + i))) {
          JsonNode error = c.next();
          outcomes.merge(error.get("code").asText(), 1, Integer::sum);
          int close = c.awaitClose();
          assertThat(close).isIn(4404, 4429);
        }
      }
      assertThat(outcomes.get("SESSION_NOT_FOUND")).isLessThanOrEqualTo(10);
      assertThat(outcomes.get("RATE_LIMITED")).isGreaterThanOrEqualTo(290);
    }
  }

  @Test
  void eachLiveSessionAdmitsItsOwnCrowdFromOneIp() {
    try (TestServer server = TestServer.start(dir, Map.of("limits.sessionCreatesPerHour", "100"))) {
      String token = server.token("pastor");
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ids.add(server.createSession(token, "en"));
      }
      // The crowd allowance is per session: each live session admits its own crowd.
      Map<String, Integer> joined = new HashMap<>();
      List<WsClient> open = new ArrayList<>();
      for (String id : ids) {
        for (int i = 0; i < 20; i++) {
          WsClient c = WsClient.connect(server, "sessionId=" + id);
          open.add(c);
          if (c.next().get("type").asText().equals("sessionJoined")) {
            joined.merge(id, 1, Integer::sum);
          }
        }
      }
      assertThat(joined.values()).containsOnly(20);
      open.forEach(WsClient::close);
    }
  }
}
