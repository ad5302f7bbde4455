package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.AudioFrames;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;
import org.slf4j.LoggerFactory;

/**
 * What a WebSocket connection leaves for operators: one access line when it ends (id, role,
 * session, language, IP, duration, close code, reason and who closed, frames and bytes out), a line
 * naming the old and new ids of a refresh, refusals counted by code, and the live-sessions gauge.
 */
class ConnectionLogIT {
  @TempDir Path dir;
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private Logger access;

  @BeforeEach
  void capture() {
    access = (Logger) LoggerFactory.getLogger("pentecost.access");
    captured.start();
    access.addAppender(captured);
  }

  @AfterEach
  void release() {
    access.detachAppender(captured);
  }

  @Test
  void aConnectionsEndAndItsRefreshAreLogged() {
    try (TestServer node = TestServer.start(dir, Map.of("connections.refreshOverlap", "200ms"))) {
      String alice = node.token("alice");
      String id = node.createSession(alice, "en");
      assertThat(node.metric("pentecost_sessions_live")).isZero();
      try (WsClient speaker =
          WsClient.connect(node, "sessionId=" + id + "&role=speaker&token=" + alice)) {
        speaker.awaitType("sessionJoined");
        WsClient old = WsClient.connect(node, "sessionId=" + id + "&targetLanguage=en");
        String oldId = old.awaitType("sessionJoined").get("connectionId").asText();
        assertThat(node.metric("pentecost_sessions_live")).isEqualTo(1);
        for (int n = 1; n <= 3; n++) {
          speaker.sendBinary(AudioFrames.pcm(n));
        }
        AudioFrames.receive(old, 3);

        WsClient fresh =
            WsClient.connect(
                node,
                "sessionId=" + id + "&action=refreshConnection&previousConnectionId=" + oldId);
        String newId = fresh.awaitType("sessionJoined").get("connectionId").asText();
        assertThat(old.awaitClose()).isEqualTo(4002);
        Map<String, String> refresh = line("ws-refresh", newId);
        assertThat(refresh).containsEntry("previousConnectionId", oldId);
        assertThat(refresh).containsEntry("sessionId", id);

        Map<String, String> replaced = awaitLine("ws", oldId);
        assertThat(replaced)
            .containsEntry("role", "listener")
            .containsEntry("sessionId", id)
            .containsEntry("language", "en")
            .containsEntry("remote", "127.0.0.1")
            .containsEntry("closeCode", "4002")
            .containsEntry("closedBy", "server")
            .containsEntry("closeReason", "refreshed");
        assertThat(Long.parseLong(replaced.get("audioFramesOut"))).isEqualTo(3);
        assertThat(Long.parseLong(replaced.get("textFramesOut"))).isGreaterThanOrEqualTo(1);
        assertThat(Long.parseLong(replaced.get("bytesOut"))).isGreaterThan(3 * 16);
        assertThat(Long.parseLong(replaced.get("durationMs"))).isNotNegative();

        fresh.closeNormally();
        Map<String, String> left = awaitLine("ws", newId);
        assertThat(left).containsEntry("closeCode", "1000").containsEntry("closedBy", "client");
      }
    }
  }

  @Test
  void aSessionThatEndsLeavesNothingLiveBehind() {
    try (TestServer node = TestServer.start(dir, Map.of("sessions.speakerGracePeriod", "0s"))) {
      String alice = node.token("alice");
      // ended over HTTP while its speaker and a listener are connected
      String ended = node.createSession(alice, "en");
      try (WsClient speaker =
              WsClient.connect(node, "sessionId=" + ended + "&role=speaker&token=" + alice);
          WsClient listener = WsClient.connect(node, "sessionId=" + ended)) {
        speaker.awaitType("sessionJoined");
        listener.awaitType("sessionJoined");
        assertThat(node.metric("pentecost_sessions_live")).isEqualTo(1);
        assertThat(node.send("DELETE", "/sessions/" + ended, alice, null).status()).isEqualTo(204);
        assertThat(speaker.awaitClose()).isEqualTo(4410);
        assertThat(listener.awaitClose()).isEqualTo(4410);
      }
      awaitNoLiveSession(node);
      // ended because its speaker, the last connection, dropped with no grace period
      String dropped = node.createSession(alice, "en");
      WsClient speaker =
          WsClient.connect(node, "sessionId=" + dropped + "&role=speaker&token=" + alice);
      String speakerId = speaker.awaitType("sessionJoined").get("connectionId").asText();
      assertThat(node.metric("pentecost_sessions_live")).isEqualTo(1);
      speaker.abort();
      assertThat(awaitLine("ws", speakerId)).containsEntry("closedBy", "network");
      awaitNoLiveSession(node);
    }
  }

  private static void awaitNoLiveSession(TestServer node) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(node.metric("pentecost_sessions_live")).isZero());
  }

  @Test
  void refusalsAreCountedByCode() {
    try (TestServer node = TestServer.start(dir, Map.of("sessions.maxListeners", "1"))) {
      String alice = node.token("alice");
      String id = node.createSession(alice, "en");
      try (WsClient unknown = WsClient.connect(node, "sessionId=no-such-session-42");
          WsClient first = WsClient.connect(node, "sessionId=" + id);
          WsClient badToken =
              WsClient.connect(node, "sessionId=" + id + "&role=speaker&token=nonsense")) {
        assertThat(unknown.awaitClose()).isEqualTo(4404);
        assertThat(badToken.awaitClose()).isEqualTo(4401);
        first.awaitType("sessionJoined");
        try (WsClient second = WsClient.connect(node, "sessionId=" + id)) {
          assertThat(second.awaitClose()).isEqualTo(4430);
        }
      }
      String metrics = node.get("/metrics").body();
      assertThat(metrics)
          .containsPattern("pentecost_ws_rejections_total\\{code=\"SESSION_NOT_FOUND\".*} 1\\.0")
          .containsPattern("pentecost_ws_rejections_total\\{code=\"SESSION_FULL\".*} 1\\.0")
          .containsPattern("pentecost_ws_rejections_total\\{code=\"INVALID_TOKEN\".*} 1\\.0");
      Map<String, String> full = line("ws-rejected", "SESSION_FULL");
      assertThat(full).containsEntry("closeCode", "4430").containsEntry("role", "listener");
    }
  }

  /** The fields of the access line of {@code event} that mentions {@code value}, waiting for it. */
  private Map<String, String> awaitLine(String event, String value) {
    return Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> find(event, value), m -> m != null);
  }

  private Map<String, String> line(String event, String value) {
    Map<String, String> found = awaitLine(event, value);
    assertThat(found).as("a '%s' line with %s", event, value).isNotNull();
    return found;
  }

  private Map<String, String> find(String event, String value) {
    List<ILoggingEvent> events = List.copyOf(captured.list);
    for (ILoggingEvent e : events) {
      Map<String, String> fields = fields(e);
      if (event.equals(fields.get("event")) && fields.containsValue(value)) {
        if (!event.equals("ws") || value.equals(fields.get("connectionId"))) {
          return fields;
        }
      }
    }
    return null;
  }

  private static Map<String, String> fields(ILoggingEvent e) {
    Map<String, String> fields = new HashMap<>();
    Object[] args = e.getArgumentArray();
    if (args != null) {
      Arrays.stream(args)
          .map(String::valueOf)
          .filter(a -> a.contains("="))
          .forEach(
              a -> fields.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1)));
    }
    return fields;
  }
}
