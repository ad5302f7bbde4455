package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pentecost.server.testing.SharedNode;
import org.pentecost.server.testing.WsClient;

/**
 * A listener always learns the format of what it is about to hear: when a stream starts, when its
 * publisher is replaced by one that encodes differently, and when it switches language.
 */
class AudioFormatIT extends SharedNode {
  AudioFormatIT() {
    super(Map.of("limits.trustedNetworks", "127.0.0.0/8", "connections.refreshOverlap", "1s"));
  }

  WsClient join(String query) {
    return join(query, new JsonNode[1]);
  }

  /** Connects; {@code joined[0]} is then its {@code sessionJoined}. */
  WsClient join(String query, JsonNode[] joined) {
    WsClient c = WsClient.connect(server, query);
    joined[0] = c.next();
    assertThat(joined[0].get("type").asText()).isEqualTo("sessionJoined");
    return c;
  }

  @Test
  void aTakeoverInAnotherFormatIsAnnouncedAndOneInTheSameFormatIsNot() throws Exception {
    String id = server.createSession(alice, "en");
    String speaker = "sessionId=" + id + "&role=speaker&token=" + alice;
    JsonNode[] joined = new JsonNode[1];
    try (WsClient pcm = join(speaker + "&codec=pcm16&sampleRate=16000");
        WsClient listener = join("sessionId=" + id + "&targetLanguage=en", joined)) {
      assertThat(joined[0].get("audio").get("codec").asText()).isEqualTo("pcm16");

      try (WsClient opus = join(speaker + "&codec=opus&sampleRate=48000&frameMs=20", joined)) {
        JsonNode started = listener.awaitType("streamStarted");
        assertThat(started.get("language").asText()).isEqualTo("en");
        assertThat(started.get("audio").get("codec").asText()).isEqualTo("opus");
        assertThat(started.get("audio").get("sampleRate").asInt()).isEqualTo(48_000);
        assertThat(pcm.awaitClose()).isEqualTo(4002);

        // A refresh that keeps the format changes nothing for listeners.
        String refresh =
            speaker
                + "&codec=opus&sampleRate=48000&frameMs=20&action=refreshConnection"
                + "&previousConnectionId="
                + joined[0].get("connectionId").asText();
        try (WsClient same = join(refresh, joined)) {
          assertThat(joined[0].get("audio").get("codec").asText()).isEqualTo("opus");
          JsonNode next;
          while ((next = listener.poll(Duration.ofMillis(500))) != null) {
            assertThat(next.get("type").asText()).isNotEqualTo("streamStarted");
          }
        }
      }
    }
  }

  @Test
  void aWorkerJoiningALiveSourceIsToldItsFormat() {
    String id = server.createSession(alice, "en");
    String worker = "sessionId=" + id + "&role=worker&targetLanguage=es&token=" + alice;
    JsonNode[] joined = new JsonNode[1];
    try (WsClient early = join(worker, joined)) {
      // nobody publishes the source yet: nothing to tell
      assertThat(joined[0].has("sourceAudio")).isFalse();
    }
    try (WsClient speaker =
            join(
                "sessionId="
                    + id
                    + "&role=speaker&token="
                    + alice
                    + "&codec=opus&sampleRate=48000&frameMs=20");
        WsClient late = join(worker + "&codec=pcm16", joined)) {
      assertThat(joined[0].get("sourceAudio").get("codec").asText()).isEqualTo("opus");
      assertThat(joined[0].get("sourceAudio").get("sampleRate").asInt()).isEqualTo(48_000);
      assertThat(joined[0].get("audio").get("codec").asText()).isEqualTo("pcm16");
    }
  }

  @Test
  void switchingLanguageTellsTheFormatOfTheStreamNowHeard() {
    String id = server.createSession(alice, "en");
    try (WsClient speaker =
            join("sessionId=" + id + "&role=speaker&token=" + alice + "&codec=pcm16");
        WsClient worker =
            join(
                "sessionId="
                    + id
                    + "&role=worker&targetLanguage=es&token="
                    + alice
                    + "&codec=opus&sampleRate=16000");
        WsClient listener = join("sessionId=" + id + "&targetLanguage=en")) {
      listener.send("{\"action\":\"switchLanguage\",\"targetLanguage\":\"es\"}");
      JsonNode toSpanish = listener.awaitType("languageSwitched");
      assertThat(toSpanish.get("audioLanguage").asText()).isEqualTo("es");
      assertThat(toSpanish.get("audio").get("codec").asText()).isEqualTo("opus");
      assertThat(toSpanish.get("audio").get("sampleRate").asInt()).isEqualTo(16_000);

      // Nobody publishes French: no format, and nothing heard.
      listener.send("{\"action\":\"switchLanguage\",\"targetLanguage\":\"fr\"}");
      JsonNode toFrench = listener.awaitType("languageSwitched");
      assertThat(toFrench.get("audioLanguage").asText()).isEqualTo("fr");
      assertThat(toFrench.has("audio")).isFalse();

      listener.send("{\"action\":\"switchLanguage\",\"targetLanguage\":\"en\"}");
      assertThat(listener.awaitType("languageSwitched").get("audio").get("codec").asText())
          .isEqualTo("pcm16");
    }
  }
}
