package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.pentecost.server.testing.Clients;
import org.pentecost.server.testing.SharedNode;
import org.pentecost.server.testing.WsClient;

/** Refresh, drops, takeovers, session changes and stats, with the counts checked at each step. */
class WsLifecycleIT extends SharedNode {
  WsLifecycleIT() {
    super(
        SharedNode.loopback(
            "sessions.speakerGracePeriod", "1500ms",
            "connections.refreshOverlap", "1s",
            "connections.statsInterval", "300ms"));
  }

  int count(String id) {
    return server.listenerCount(id);
  }

  void awaitCount(String id, int n) {
    server.awaitListenerCount(id, n);
  }

  @Test
  void aListenerRefreshNeitherAddsNorDropsItsPlace() {
    String id = server.createSession(alice, "en");
    WsClient first = WsClient.connect(server, "sessionId=" + id + "&targetLanguage=es");
    String firstId = first.next().get("connectionId").asText();
    assertThat(count(id)).isEqualTo(1);

    WsClient second =
        WsClient.connect(
            server,
            "sessionId="
                + id
                + "&targetLanguage=es&action=refreshConnection&previousConnectionId="
                + firstId);
    JsonNode joined = second.next();
    assertThat(joined.get("type").asText()).isEqualTo("sessionJoined");
    assertThat(count(id)).isEqualTo(1);
    JsonNode complete = second.next();
    assertThat(complete.get("type").asText()).isEqualTo("connectionRefreshComplete");
    assertThat(complete.get("previousConnectionId").asText()).isEqualTo(firstId);
    assertThat(complete.get("connectionId").asText())
        .isEqualTo(joined.get("connectionId").asText());

    first.closeNormally();
    first.awaitClose();
    assertThat(count(id)).isEqualTo(1);
    second.closeNormally();
    second.awaitClose();
    awaitCount(id, 0);
  }

  @Test
  void theServerClosesTheOldConnectionIfTheClientDoesNot() {
    String id = server.createSession(alice, "en");
    try (WsClient first = WsClient.connect(server, "sessionId=" + id + "&targetLanguage=es")) {
      String firstId = first.next().get("connectionId").asText();
      try (WsClient second =
          clients.listener(id, "targetLanguage=fr", "previousConnectionId=" + firstId)) {
        assertThat(first.awaitClose()).isEqualTo(4002);
        JsonNode counts = server.get("/sessions/" + id).json();
        assertThat(counts.get("listenerCount").asInt()).isEqualTo(1);
        assertThat(counts.get("listenersByLanguage").get("fr").asInt()).isEqualTo(1);
        assertThat(second.isClosed()).isFalse();
      }
    }
    awaitCount(id, 0);
  }

  @Test
  void aRefreshNamingAnotherSessionsConnectionIsRefused() {
    String a = server.createSession(alice, "en");
    String b = server.createSession(alice, "en");
    try (WsClient inA = WsClient.connect(server, "sessionId=" + a)) {
      String aId = inA.next().get("connectionId").asText();
      try (WsClient thief =
          WsClient.connect(server, "sessionId=" + b + "&previousConnectionId=" + aId)) {
        assertThat(thief.next().get("code").asText()).isEqualTo("NOT_SESSION_OWNER");
        assertThat(thief.awaitClose()).isEqualTo(4403);
      }
      try (WsClient asSpeaker = clients.connectSpeaker(a, "previousConnectionId=" + aId)) {
        assertThat(asSpeaker.next().get("code").asText()).isEqualTo("NOT_SESSION_OWNER");
        assertThat(asSpeaker.awaitClose()).isEqualTo(4403);
      }
      assertThat(count(a)).isEqualTo(1);
      assertThat(count(b)).isZero();
    }
  }

  @Test
  void aSpeakerRefreshMovesTheRoleWithoutListenersNoticing() {
    String id = server.createSession(alice, "en");
    try (WsClient l = clients.listener(id, "targetLanguage=es");
        WsClient s1 = clients.connectSpeaker(id)) {
      String s1Id = s1.next().get("connectionId").asText();
      try (WsClient s2 =
          clients.connectSpeaker(id, "action=refreshConnection", "previousConnectionId=" + s1Id)) {
        assertThat(s2.next().get("type").asText()).isEqualTo("sessionJoined");
        assertThat(s2.next().get("type").asText()).isEqualTo("connectionRefreshComplete");
        s1.closeNormally();
        s1.awaitClose();
        l.send("{\"action\":\"getSessionStatus\"}");
        assertThat(l.awaitType("sessionStatus").get("speakerConnected").asBoolean()).isTrue();
        assertThat(l.hasSeen("speakerDisconnected")).isFalse();
        // another user cannot take the speaker's connection over
        try (WsClient other =
            Clients.of(server, bob).connectSpeaker(id, "previousConnectionId=" + s1Id)) {
          assertThat(other.next().get("code").asText()).isEqualTo("NOT_SESSION_OWNER");
        }
      }
    }
  }

  @Test
  void aSecondSpeakerConnectionTakesOverAndTheFirstIsToldWhy() {
    String id = server.createSession(alice, "en");
    try (WsClient l = clients.listener(id, "targetLanguage=es");
        WsClient s1 = clients.connectSpeaker(id)) {
      s1.next();
      try (WsClient s2 = clients.connectSpeaker(id)) {
        assertThat(s2.next().get("type").asText()).isEqualTo("sessionJoined");
        assertThat(s1.awaitClose()).isEqualTo(4002);
        Thread.sleep(300);
        assertThat(l.hasSeen("speakerDisconnected")).isFalse();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aDroppedSpeakerThatComesBackInTimeKeepsTheSession() {
    String id = server.createSession(alice, "en");
    try (WsClient l = clients.listener(id, "targetLanguage=es")) {
      WsClient s1 = clients.connectSpeaker(id);
      s1.next();
      s1.abort();
      JsonNode gone = l.awaitType("speakerDisconnected");
      assertThat(gone.get("gracePeriodMs").asLong()).isEqualTo(1500);
      try (WsClient s2 = clients.connectSpeaker(id)) {
        assertThat(s2.next().get("type").asText()).isEqualTo("sessionJoined");
        l.awaitType("speakerReconnected");
        Thread.sleep(2000);
        assertThat(l.isClosed()).isFalse();
        assertThat(server.get("/sessions/" + id).json().get("status").asText()).isEqualTo("active");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aSpeakerThatDoesNotComeBackEndsTheSession() {
    String id = server.createSession(alice, "en");
    try (WsClient l = clients.listener(id, "targetLanguage=es")) {
      WsClient s = clients.connectSpeaker(id);
      s.next();
      s.abort();
      l.awaitType("speakerDisconnected");
      l.awaitType("sessionEnded");
      assertThat(l.awaitClose()).isEqualTo(4410);
    }
    assertThat(server.get("/sessions/" + id).json().get("status").asText()).isEqualTo("ended");
    awaitCount(id, 0);
  }

  @Test
  void pauseResumeAndDeleteReachEveryConnection() {
    String id = server.createSession(alice, "en");
    try (WsClient l1 = clients.listener(id, "targetLanguage=es");
        WsClient l2 = clients.listener(id, "targetLanguage=fr");
        WsClient s = clients.connectSpeaker(id)) {
      s.next();
      server.send("PATCH", "/sessions/" + id, alice, "{\"status\":\"paused\"}");
      for (WsClient c : List.of(l1, l2, s)) {
        assertThat(c.awaitType("sessionPaused").get("sessionId").asText()).isEqualTo(id);
      }
      server.send("PATCH", "/sessions/" + id, alice, "{\"status\":\"active\"}");
      for (WsClient c : List.of(l1, l2, s)) {
        c.awaitType("sessionResumed");
      }
      assertThat(server.send("DELETE", "/sessions/" + id, alice, null).status()).isEqualTo(204);
      for (WsClient c : List.of(l1, l2, s)) {
        c.awaitType("sessionEnded");
        assertThat(c.awaitClose()).isEqualTo(4410);
      }
      // Ending the session closes the speaker too; that is not a speaker drop to announce,
      // and nothing follows sessionEnded.
      for (WsClient c : List.of(l1, l2)) {
        List<String> types = c.seen().stream().map(m -> m.path("type").asText()).toList();
        assertThat(types).doesNotContain("speakerDisconnected").endsWith("sessionEnded");
      }
    }
    awaitCount(id, 0);
  }

  @Test
  void aPausedSessionCanBeJoinedAndSaysSo() {
    String id = server.createSession(alice, "en");
    server.send("PATCH", "/sessions/" + id, alice, "{\"status\":\"paused\"}");
    try (WsClient l = WsClient.connect(server, "sessionId=" + id)) {
      assertThat(l.next().get("status").asText()).isEqualTo("paused");
    }
  }

  @Test
  void theSpeakerGetsCoalescedStatsWithDemandSignals() throws Exception {
    String id = server.createSession(alice, "en");
    try (WsClient s = clients.connectSpeaker(id)) {
      assertThat(s.next().get("listenerCount").asInt()).isZero();
      WsClient es = clients.listener(id, "targetLanguage=es");
      JsonNode first = s.awaitType("listenerStats");
      assertThat(first.get("listenersByLanguage").get("es").asInt()).isEqualTo(1);
      assertThat(first.get("languagesGained").toString()).isEqualTo("[\"es\"]");
      List<WsClient> fr = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        fr.add(clients.listener(id, "targetLanguage=fr"));
      }
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  s.seen().stream()
                      .filter(m -> m.path("type").asText().equals("listenerStats"))
                      .anyMatch(m -> m.path("listenersByLanguage").path("fr").asInt() == 5));
      long statsSoFar =
          s.seen().stream().filter(m -> m.path("type").asText().equals("listenerStats")).count();
      assertThat(statsSoFar).as("coalesced, not one per join").isLessThan(6);
      es.closeNormally();
      es.awaitClose();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  s.seen().stream()
                      .anyMatch(m -> m.path("languagesLost").toString().equals("[\"es\"]")));
      int before = s.seen().size();
      Thread.sleep(1000);
      assertThat(s.seen().size()).as("no stats without a change").isEqualTo(before);
      fr.forEach(WsClient::close);
    }
  }

  @Test
  void refreshesRacingClosesLeaveExactCounts() throws Exception {
    String id = server.createSession(alice, "en");
    for (int round = 0; round < 20; round++) {
      WsClient old = WsClient.connect(server, "sessionId=" + id + "&targetLanguage=es");
      String oldId = old.next().get("connectionId").asText();
      CompletableFuture<Void> drop = CompletableFuture.runAsync(old::abort);
      WsClient fresh =
          WsClient.connect(
              server, "sessionId=" + id + "&targetLanguage=es&previousConnectionId=" + oldId);
      assertThat(fresh.next().get("type").asText()).isEqualTo("sessionJoined");
      drop.join();
      awaitCount(id, 1);
      fresh.closeNormally();
      fresh.awaitClose();
      awaitCount(id, 0);
    }
  }

  @Test
  void twoHundredListenersComingAndGoingAtOnceLeaveTheCountExact() throws Exception {
    String id = server.createSession(alice, "en");
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<CompletableFuture<WsClient>> joining = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String lang = i % 2 == 0 ? "es" : "fr";
        joining.add(
            CompletableFuture.supplyAsync(
                () -> {
                  WsClient c =
                      WsClient.connect(server, "sessionId=" + id + "&targetLanguage=" + lang);
                  c.next();
                  return c;
                },
                pool));
      }
      List<WsClient> clients = joining.stream().map(CompletableFuture::join).toList();
      JsonNode full = server.get("/sessions/" + id).json();
      assertThat(full.get("listenerCount").asInt()).isEqualTo(200);
      assertThat(full.get("listenersByLanguage").get("es").asInt()).isEqualTo(100);
      List<CompletableFuture<Void>> leaving = new ArrayList<>();
      for (int i = 0; i < clients.size(); i++) {
        WsClient c = clients.get(i);
        leaving.add(CompletableFuture.runAsync(i % 3 == 0 ? c::abort : c::closeNormally, pool));
      }
      leaving.forEach(CompletableFuture::join);
      awaitCount(id, 0);
      assertThat(server.get("/sessions/" + id).json().get("listenersByLanguage").size()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }
}
