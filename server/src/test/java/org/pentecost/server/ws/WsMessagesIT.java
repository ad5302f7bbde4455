package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.pentecost.server.testing.SharedNode;
import org.pentecost.server.testing.WsClient;

/** Routing by action, and every kind of bad input, on admitted connections. */
class WsMessagesIT extends SharedNode {
  WsMessagesIT() {
    super(
        SharedNode.loopback(
            "connections.maxFrameBytes", "2048", "connections.maxMessageBytes", "4096"));
  }

  private WsClient listener(String id, String language) {
    return clients.listener(id, "targetLanguage=" + language);
  }

  @Test
  void heartbeatIsAcknowledgedAndLimitedPerConnection() {
    String id = server.createSession(alice, "en");
    try (WsClient c = listener(id, "es")) {
      c.send("{\"action\":\"heartbeat\",\"requestId\":7}");
      JsonNode ack = c.next();
      assertThat(ack.get("type").asText()).isEqualTo("heartbeatAck");
      assertThat(ack.get("requestId").asInt()).isEqualTo(7);
      assertThat(ack.get("connectedForMs").asLong()).isNotNegative();
      c.send("{\"action\":\"heartbeat\"}");
      assertThat(c.next().get("type").asText()).isEqualTo("heartbeatAck");
      c.send("{\"action\":\"heartbeat\"}");
      assertThat(c.next().get("type").asText()).isEqualTo("heartbeatAck");
      c.send("{\"action\":\"heartbeat\"}");
      JsonNode limited = c.next();
      assertThat(limited.get("code").asText()).isEqualTo("RATE_LIMITED");
      assertThat(limited.get("retryAfterMs").asLong()).isPositive();
      assertThat(c.isClosed()).isFalse();
    }
  }

  @Test
  void switchLanguageMovesTheCountWithoutReconnecting() {
    String id = server.createSession(alice, "en");
    try (WsClient c = listener(id, "es")) {
      c.send("{\"action\":\"switchLanguage\",\"targetLanguage\":\"FR\"}");
      JsonNode switched = c.next();
      assertThat(switched.get("type").asText()).isEqualTo("languageSwitched");
      assertThat(switched.get("previousLanguage").asText()).isEqualTo("es");
      assertThat(switched.get("targetLanguage").asText()).isEqualTo("fr");
      JsonNode counts = server.get("/sessions/" + id).json();
      assertThat(counts.get("listenerCount").asInt()).isEqualTo(1);
      assertThat(counts.get("listenersByLanguage").has("es")).isFalse();
      assertThat(counts.get("listenersByLanguage").get("fr").asInt()).isEqualTo(1);
      c.send("{\"action\":\"switchLanguage\",\"targetLanguage\":\"xx\"}");
      assertThat(c.next().get("code").asText()).isEqualTo("UNSUPPORTED_LANGUAGE");
      c.send("{\"action\":\"switchLanguage\",\"targetLanguage\":3}");
      assertThat(c.next().get("code").asText()).isEqualTo("INVALID_REQUEST");
      c.closeNormally();
      c.awaitClose();
    }
    server.awaitListenerCount(id, 0);
  }

  @Test
  void speakersDoNotSwitchLanguage() {
    String id = server.createSession(alice, "en");
    try (WsClient speaker = clients.connectSpeaker(id)) {
      speaker.next();
      speaker.send("{\"action\":\"switchLanguage\",\"targetLanguage\":\"fr\"}");
      assertThat(speaker.next().get("code").asText()).isEqualTo("ACTION_NOT_ALLOWED");
    }
  }

  @Test
  void getSessionStatusReportsTheSession() {
    String id = server.createSession(alice, "de");
    try (WsClient c = listener(id, "it")) {
      c.send("{\"action\":\"getSessionStatus\"}");
      JsonNode status = c.next();
      assertThat(status.get("type").asText()).isEqualTo("sessionStatus");
      assertThat(status.get("status").asText()).isEqualTo("active");
      assertThat(status.get("sourceLanguage").asText()).isEqualTo("de");
      assertThat(status.get("listenersByLanguage").get("it").asInt()).isEqualTo(1);
      assertThat(status.get("speakerConnected").asBoolean()).isFalse();
    }
  }

  @Test
  void refreshConnectionAsAMessageExplainsHowToRefresh() {
    String id = server.createSession(alice, "en");
    try (WsClient c = listener(id, "es")) {
      c.send("{\"action\":\"refreshConnection\"}");
      JsonNode m = c.next();
      assertThat(m.get("type").asText()).isEqualTo("connectionRefreshRequired");
      assertThat(m.get("refreshQuery").asText()).contains("previousConnectionId=");
    }
  }

  @Test
  void badMessagesGetErrorsAndTheConnectionLivesOn() {
    String id = server.createSession(alice, "en");
    try (WsClient c = listener(id, "es")) {
      c.send("{\"action\":\"dance\"}");
      assertThat(c.next().get("code").asText()).isEqualTo("UNKNOWN_ACTION");
      c.send("{\"hello\":1}");
      assertThat(c.next().get("code").asText()).isEqualTo("UNKNOWN_ACTION");
      c.send("{not json");
      assertThat(c.next().get("code").asText()).isEqualTo("MALFORMED_JSON");
      c.send("[1,2]");
      assertThat(c.next().get("code").asText()).isEqualTo("MALFORMED_JSON");
      c.send("\"heartbeat\"");
      assertThat(c.next().get("code").asText()).isEqualTo("MALFORMED_JSON");
      c.send("{\"action\":42}");
      assertThat(c.next().get("code").asText()).isEqualTo("INVALID_REQUEST");
      c.send("");
      assertThat(c.next().get("code").asText()).isEqualTo("MALFORMED_JSON");
      c.sendBinary(new byte[] {1, 2, 3});
      assertThat(c.next().get("code").asText()).isEqualTo("ACTION_NOT_ALLOWED");
      c.sendFragmented("{\"action\":\"heartbeat\",\"pad\":\"" + "x".repeat(3000) + "\"}", 3);
      assertThat(c.next().get("type").asText()).isEqualTo("heartbeatAck");
      assertThat(c.isClosed()).isFalse();
    }
    assertThat(server.get("/sessions/" + id).json().get("listenerCount").asInt())
        .isLessThanOrEqualTo(1);
  }

  @Test
  void anOversizedFrameIsAnErrorThenClose1009AndTheCountIsFreed() {
    String id = server.createSession(alice, "en");
    try (WsClient c = listener(id, "es")) {
      c.send("{\"action\":\"heartbeat\",\"pad\":\"" + "x".repeat(3000) + "\"}");
      assertThat(c.next().get("code").asText()).isEqualTo("MESSAGE_TOO_LARGE");
      assertThat(c.awaitClose()).isEqualTo(1009);
    }
    server.awaitListenerCount(id, 0);
  }

  @Test
  void anOversizedMessageAcrossFramesIsAnErrorThenClose1009() {
    String id = server.createSession(alice, "en");
    try (WsClient c = listener(id, "es")) {
      c.sendFragmented("{\"pad\":\"" + "y".repeat(6000) + "\"}", 4);
      assertThat(c.next().get("code").asText()).isEqualTo("MESSAGE_TOO_LARGE");
      assertThat(c.awaitClose()).isEqualTo(1009);
    }
  }
}
