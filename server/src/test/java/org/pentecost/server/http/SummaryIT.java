package org.pentecost.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.pentecost.server.testing.AudioFrames;
import org.pentecost.server.testing.SharedNode;
import org.pentecost.server.testing.TestServer.Response;
import org.pentecost.server.testing.WsClient;

/**
 * The speaker's summary on a real node: peaks per language, listener-minutes, the audio the speaker
 * and a worker published; for the speaker only.
 */
class SummaryIT extends SharedNode {
  SummaryIT() {
    super(SharedNode.loopback());
  }

  private Response summary(String id, String token) {
    return server.send("GET", "/sessions/" + id + "/summary", token, null);
  }

  static JsonNode language(JsonNode summary, String code) {
    for (JsonNode l : summary.get("languages")) {
      if (l.get("language").asText().equals(code)) {
        return l;
      }
    }
    throw new AssertionError("no " + code + " in " + summary);
  }

  @Test
  void peaksListenerMinutesAndTheAudioPublished() throws InterruptedException {
    String id = server.createSession(alice, "en");
    try (WsClient speaker = clients.speaker(id);
        WsClient worker = clients.connectWorker(id, "es");
        WsClient en1 = clients.listener(id);
        WsClient en2 = clients.listener(id);
        WsClient es = clients.listener(id, "targetLanguage=es")) {
      worker.awaitType("sessionJoined");
      for (int n = 0; n < 25; n++) {
        speaker.sendBinary(AudioFrames.pcm(n));
      }
      for (int n = 0; n < 10; n++) {
        worker.sendBinary(AudioFrames.pcm(n));
      }
      for (int n = 0; n < 10; n++) {
        es.nextFrame();
      }
      for (int n = 0; n < 25; n++) {
        en1.nextFrame();
      }
      Thread.sleep(1500); // listener time to count
      Response running = summary(id, alice);
      assertThat(running.status()).isEqualTo(200);
      assertThat(running.json().get("status").asText()).isEqualTo("active");
      assertThat(running.json().get("endedAt").isNull()).isTrue();
      assertThat(server.send("DELETE", "/sessions/" + id, alice, null).status()).isEqualTo(204);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              JsonNode s = summary(id, alice).json();
              return s.get("languages").size() == 2
                  && language(s, "en").get("listenerMinutes").asDouble() > 0
                  && language(s, "es").get("listenerMinutes").asDouble() > 0
                  && !language(s, "en").get("audio").isNull()
                  && !language(s, "es").get("audio").isNull();
            });
    Response r = summary(id, alice);
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    JsonNode s = r.json();
    assertThat(s.get("status").asText()).isEqualTo("ended");
    assertThat(s.get("endedAt").asLong()).isGreaterThanOrEqualTo(s.get("createdAt").asLong());
    assertThat(s.get("peakListeners").asInt()).isEqualTo(3);
    JsonNode en = language(s, "en");
    JsonNode es = language(s, "es");
    assertThat(en.get("peakListeners").asInt()).isEqualTo(2);
    assertThat(es.get("peakListeners").asInt()).isEqualTo(1);
    // two English listeners for about 1.5 s or more: at least 0.04 listener-minutes
    assertThat(en.get("listenerMinutes").asDouble()).isBetween(0.04, 1.0);
    assertThat(s.get("listenerMinutes").asDouble())
        .isCloseTo(
            en.get("listenerMinutes").asDouble() + es.get("listenerMinutes").asDouble(),
            org.assertj.core.data.Offset.offset(0.011));
    assertThat(en.get("audio").get("publishedBy").asText()).isEqualTo("speaker");
    assertThat(en.get("audio").get("codec").asText()).isEqualTo("pcm16");
    assertThat(en.get("audio").get("sampleRate").asInt()).isEqualTo(16000);
    assertThat(en.get("audio").get("frames").asLong()).isEqualTo(25);
    assertThat(en.get("audio").get("minutes").asDouble()).isEqualTo(0.01); // 500 ms
    assertThat(es.get("audio").get("publishedBy").asText()).isEqualTo("worker");
    assertThat(es.get("audio").get("frames").asLong()).isEqualTo(10);
  }

  @Test
  void forTheSpeakerOnly() {
    String id = server.createSession(alice, "en");
    assertThat(summary(id, bob).code()).isEqualTo("NOT_SESSION_OWNER");
    assertThat(summary(id, null).code()).isEqualTo("MISSING_TOKEN");
    assertThat(summary("no-such-code-1", alice).code()).isEqualTo("SESSION_NOT_FOUND");
    JsonNode empty = summary(id, alice).json();
    assertThat(empty.get("peakListeners").asInt()).isZero();
    assertThat(empty.get("languages")).isEmpty();
  }
}
