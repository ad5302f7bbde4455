package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/** The lifecycle timers, run with durations of seconds. */
class WsTimersIT {
  @TempDir Path dir;

  @Test
  void anIdleConnectionIsClosedAndOneThatSpeaksIsNot() throws Exception {
    try (TestServer server =
        TestServer.start(
            dir,
            Map.of("connections.idleTimeout", "1500ms", "connections.sweepInterval", "100ms"))) {
      String id = server.createSession(server.token("alice"), "en");
      try (WsClient quiet = WsClient.connect(server, "sessionId=" + id);
          WsClient chatty = WsClient.connect(server, "sessionId=" + id)) {
        quiet.next();
        chatty.next();
        for (int i = 0; i < 2; i++) {
          Thread.sleep(800);
          chatty.send("{\"action\":\"getSessionStatus\"}");
        }
        assertThat(quiet.awaitClose()).isEqualTo(4000);
        assertThat(chatty.isClosed()).isFalse();
      }
    }
  }

  @Test
  void refreshIsRequestedThenWarnedThenForced() {
    try (TestServer server =
        TestServer.start(
            dir,
            Map.of(
                "connections.refreshAt", "1s",
                "connections.warnAt", "2s",
                "connections.maxDuration", "3s",
                "connections.sweepInterval", "100ms"))) {
      String id = server.createSession(server.token("alice"), "en");
      try (WsClient c = WsClient.connect(server, "sessionId=" + id)) {
        String connectionId = c.next().get("connectionId").asText();
        long start = System.nanoTime();
        JsonNode refresh = c.awaitType("connectionRefreshRequired");
        assertThat(refresh.get("refreshQuery").asText())
            .isEqualTo("action=refreshConnection&previousConnectionId=" + connectionId);
        assertThat(refresh.get("closesInMs").asLong()).isBetween(1000L, 2100L);
        JsonNode warning = c.awaitType("connectionWarning");
        assertThat(warning.get("closesInMs").asLong()).isBetween(0L, 1100L);
        assertThat(c.awaitClose()).isEqualTo(4001);
        assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1500L, 4000L);
      }
      server.awaitListenerCount(id, 0);
    }
  }

  @Test
  void aGraceOfZeroEndsTheSessionWhenTheSpeakerDrops() {
    try (TestServer server = TestServer.start(dir, Map.of("sessions.speakerGracePeriod", "0s"))) {
      String token = server.token("alice");
      String id = server.createSession(token, "en");
      try (WsClient l = WsClient.connect(server, "sessionId=" + id)) {
        l.next();
        WsClient s = WsClient.connect(server, "sessionId=" + id + "&role=speaker&token=" + token);
        s.next();
        s.abort();
        assertThat(l.awaitType("speakerDisconnected").get("gracePeriodMs").asLong()).isZero();
        l.awaitType("sessionEnded");
        assertThat(l.awaitClose()).isEqualTo(4410);
      }
    }
  }

  @Test
  void aShutdownSendsEveryoneElsewhereWithoutEndingSessions() {
    String id;
    String token;
    TestServer server = TestServer.start(dir, Map.of("sessions.speakerGracePeriod", "0s"));
    token = server.token("alice");
    id = server.createSession(token, "en");
    try (WsClient l = WsClient.connect(server, "sessionId=" + id);
        WsClient s = WsClient.connect(server, "sessionId=" + id + "&role=speaker&token=" + token)) {
      l.next();
      s.next();
      server.stop();
      assertThat(l.awaitClose()).isEqualTo(1001);
      assertThat(s.awaitClose()).isEqualTo(1001);
    }
    try (TestServer again = TestServer.start(dir)) {
      assertThat(again.get("/sessions/" + id).json().get("status").asText()).isEqualTo("active");
    }
  }
}
