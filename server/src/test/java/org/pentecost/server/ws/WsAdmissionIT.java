package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.pentecost.server.testing.SharedNode;
import org.pentecost.server.testing.WsClient;

/** Who gets in at /ws, and what everyone else is told. */
class WsAdmissionIT extends SharedNode {
  WsAdmissionIT() {
    super(SharedNode.loopback("sessions.maxListeners", "3"));
  }

  @Test
  void aListenerJoinsAndLearnsItsConnectionIdFirst() {
    String id = server.createSession(alice, "en");
    try (WsClient listener = WsClient.connect(server, "sessionId=" + id + "&targetLanguage=es")) {
      JsonNode joined = listener.next();
      assertThat(joined.get("type").asText()).isEqualTo("sessionJoined");
      assertThat(joined.get("connectionId").asText()).hasSizeGreaterThanOrEqualTo(22);
      assertThat(joined.get("sessionId").asText()).isEqualTo(id);
      assertThat(joined.get("role").asText()).isEqualTo("listener");
      assertThat(joined.get("sourceLanguage").asText()).isEqualTo("en");
      assertThat(joined.get("targetLanguage").asText()).isEqualTo("es");
      assertThat(joined.get("status").asText()).isEqualTo("active");
      assertThat(joined.get("speakerConnected").asBoolean()).isFalse();
      assertThat(joined.get("heartbeatIntervalMs").asLong()).isEqualTo(30_000);
      assertThat(server.get("/sessions/" + id).json().get("listenersByLanguage").get("es").asInt())
          .isEqualTo(1);
    }
  }

  @Test
  void codesAreMatchedForgivinglyAndTheLanguageDefaultsToTheSource() {
    String id = server.createSession(alice, "fr");
    String spoken = id.toUpperCase().replace('-', '+');
    try (WsClient listener = WsClient.connect(server, "sessionId=" + spoken)) {
      JsonNode joined = listener.next();
      assertThat(joined.get("sessionId").asText()).isEqualTo(id);
      assertThat(joined.get("targetLanguage").asText()).isEqualTo("fr");
    }
  }

  @Test
  void theOwnerJoinsAsSpeakerWithCountsByQueryOrHeaderToken() {
    String id = server.createSession(alice, "en");
    try (WsClient listener = WsClient.connect(server, "sessionId=" + id + "&targetLanguage=de")) {
      listener.next();
      try (WsClient speaker = clients.connectSpeaker(id)) {
        JsonNode joined = speaker.next();
        assertThat(joined.get("type").asText()).isEqualTo("sessionJoined");
        assertThat(joined.get("role").asText()).isEqualTo("speaker");
        assertThat(joined.get("listenerCount").asInt()).isEqualTo(1);
        assertThat(joined.get("listenersByLanguage").get("de").asInt()).isEqualTo(1);
        assertThat(joined.toString()).doesNotContain(alice);
      }
    }
    String other = server.createSession(alice, "en");
    try (WsClient speaker =
        WsClient.connect(
            server.port(),
            "sessionId=" + other + "&role=speaker",
            Map.of("Authorization", "Bearer " + alice))) {
      assertThat(speaker.next().get("role").asText()).isEqualTo("speaker");
    }
  }

  @Test
  void everyRejectionIsAnErrorThenADocumentedClose() {
    String id = server.createSession(alice, "en");
    rejected("sessionId=nothing-here-999", "SESSION_NOT_FOUND", 4404);
    rejected("targetLanguage=es", "INVALID_REQUEST", 4400);
    rejected("sessionId=" + id + "&role=emperor", "INVALID_REQUEST", 4400);
    rejected("sessionId=" + id + "&targetLanguage=xx", "UNSUPPORTED_LANGUAGE", 4400);
    rejected("sessionId=" + id + "&role=speaker", "MISSING_TOKEN", 4401);
    rejected("sessionId=" + id + "&role=speaker&token=not.a.token", "INVALID_TOKEN", 4401);
    rejected("sessionId=" + id + "&role=speaker&token=" + bob, "NOT_SESSION_OWNER", 4403);
    server.send("DELETE", "/sessions/" + id, alice, null);
    rejected("sessionId=" + id, "SESSION_ENDED", 4410);
    rejected("sessionId=" + id + "&role=speaker&token=" + alice, "SESSION_ENDED", 4410);
  }

  @Test
  void aFullSessionSaysSoWithARetryHint() {
    String id = server.createSession(alice, "en");
    WsClient[] in = new WsClient[3];
    for (int i = 0; i < 3; i++) {
      in[i] = WsClient.connect(server, "sessionId=" + id + "&targetLanguage=es");
      in[i].next();
    }
    try (WsClient fourth = WsClient.connect(server, "sessionId=" + id + "&targetLanguage=fr")) {
      JsonNode error = fourth.next();
      assertThat(error.get("code").asText()).isEqualTo("SESSION_FULL");
      assertThat(error.get("retryAfterMs").asLong()).isPositive();
      assertThat(fourth.awaitClose()).isEqualTo(4430);
    } finally {
      for (WsClient c : in) {
        c.close();
      }
    }
    assertThat(server.get("/sessions/" + id).json().get("listenerCount").asInt())
        .isLessThanOrEqualTo(3);
  }

  @Test
  void otherPathsAreNotUpgraded() {
    HttpClient http = HttpClient.newHttpClient();
    CompletionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            CompletionException.class,
            () ->
                http.newWebSocketBuilder()
                    .buildAsync(
                        URI.create("ws://127.0.0.1:" + server.port() + "/other"),
                        new java.net.http.WebSocket.Listener() {})
                    .join());
    assertThat(e.getCause()).isInstanceOf(java.net.http.WebSocketHandshakeException.class);
    assertThat(
            ((java.net.http.WebSocketHandshakeException) e.getCause()).getResponse().statusCode())
        .isEqualTo(404);
  }

  private void rejected(String query, String code, int closeCode) {
    try (WsClient c = WsClient.connect(server, query)) {
      JsonNode error = c.next();
      assertThat(error.get("type").asText()).isEqualTo("error");
      assertThat(error.get("code").asText()).as(query).isEqualTo(code);
      assertThat(error.get("message").asText()).isNotBlank();
      assertThat(c.awaitClose()).as(query).isEqualTo(closeCode);
    }
  }
}
