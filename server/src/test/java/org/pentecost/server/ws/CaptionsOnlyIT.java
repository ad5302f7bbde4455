package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pentecost.server.testing.AudioFrames.pcm;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.pentecost.protocol.AudioFrame;
import org.pentecost.server.testing.SharedNode;
import org.pentecost.server.testing.WsClient;

/**
 * A captions-only listener ({@code audio=none}): counted, told everything, sent no audio frame; a
 * listener beside it hears every frame.
 */
class CaptionsOnlyIT extends SharedNode {
  CaptionsOnlyIT() {
    super(SharedNode.loopback("audio.replayWindow", "2s"));
  }

  @Test
  void aCaptionsOnlyListenerGetsCaptionsAndNoAudioFrame() throws InterruptedException {
    String id = server.createSession(alice, "en");
    try (WsClient s = clients.speaker(id, "codec=pcm16", "sampleRate=16000")) {
      s.sendBinary(pcm(1)); // in the replay window before the captions-only listener joins
      try (WsClient text = clients.listener(id, "targetLanguage=en", "audio=none");
          WsClient audio = clients.listener(id, "targetLanguage=en")) {
        server.awaitListenerCount(id, 2);
        for (int n = 2; n <= 30; n++) {
          s.sendBinary(pcm(n));
        }
        s.send("{\"action\":\"publishCaption\",\"text\":\"Grace and peace.\",\"final\":true}");
        JsonNode caption = text.awaitType("caption");
        assertThat(caption.get("text").asText()).isEqualTo("Grace and peace.");
        assertThat(AudioFrame.readHeader(audio.nextFrame()).language()).isEqualTo("en");
        assertThat(audio.awaitType("caption").get("text").asText()).isEqualTo("Grace and peace.");
        assertThat(text.pollFrame(Duration.ofMillis(500))).as("audio frames").isNull();

        // A refresh keeps it captions-only (the new socket's query says so again).
        try (WsClient refreshed =
            clients.listener(
                id,
                "targetLanguage=en",
                "audio=none",
                "previousConnectionId=" + text.seen().get(0).get("connectionId").asText(),
                "lastSeq=1")) {
          for (int n = 31; n <= 40; n++) {
            s.sendBinary(pcm(n));
          }
          s.send("{\"action\":\"publishCaption\",\"text\":\"Amen.\",\"final\":true}");
          assertThat(refreshed.awaitType("caption").get("text").asText()).isEqualTo("Amen.");
          assertThat(refreshed.pollFrame(Duration.ofMillis(500))).as("audio frames").isNull();
          assertThat(server.listenerCount(id)).isEqualTo(2);
        }
      }
    }
  }

  @Test
  void anUnknownAudioValueIsRefused() {
    String id = server.createSession(alice, "en");
    try (WsClient c = WsClient.connect(server, "sessionId=" + id + "&audio=loud")) {
      JsonNode error = c.next();
      assertThat(error.get("type").asText()).isEqualTo("error");
      assertThat(error.get("code").asText()).isEqualTo("INVALID_REQUEST");
      assertThat(error.get("message").asText()).contains("audio");
      assertThat(c.awaitClose()).isEqualTo(4400);
    }
  }
}
