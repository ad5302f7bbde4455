package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pentecost.server.testing.AudioFrames.assertContiguous;
import static org.pentecost.server.testing.AudioFrames.headers;
import static org.pentecost.server.testing.AudioFrames.pcm;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pentecost.protocol.AudioFrame;
import org.pentecost.server.testing.SharedNode;
import org.pentecost.server.testing.WsClient;

/** Live audio through a real node: fan-out, pause, resume, workers, captions, slow listeners. */
class AudioIT extends SharedNode {
  AudioIT() {
    super(
        SharedNode.loopback(
            "audio.replayWindow", "400ms",
            "audio.maxListenerLag", "1s",
            "audio.slowListenerTimeout", "2s",
            "connections.refreshOverlap", "1s"));
  }

  @Test
  void everyListenerOfTheLanguageGetsEveryFrameOnceInOrder() {
    String id = server.createSession(alice, "en");
    List<WsClient> en = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      en.add(clients.listener(id, "targetLanguage=en"));
    }
    try (WsClient es = clients.listener(id, "targetLanguage=es");
        WsClient floor = clients.listener(id, "targetLanguage=fr", "fallback=source");
        WsClient s = clients.speaker(id, "codec=pcm16", "sampleRate=16000")) {
      assertThat(en.get(0).awaitType("streamStarted").get("audio").get("codec").asText())
          .isEqualTo("pcm16");
      for (int n = 1; n <= 50; n++) {
        s.sendBinary(pcm(n));
      }
      for (WsClient c : en) {
        byte[] first = c.nextFrame();
        AudioFrame.Header h = AudioFrame.readHeader(first);
        assertThat(h.language()).isEqualTo("en");
        assertThat(first).hasSize(AudioFrame.HEADER_BYTES + 640);
        assertThat(Arrays.copyOfRange(first, 16, first.length)).isEqualTo(pcm(1));
        List<AudioFrame.Header> rest = headers(c, 49);
        assertContiguous(rest, 2);
        assertThat(rest).noneMatch(x -> x.flags() != 0);
      }
      assertContiguous(headers(floor, 50), 1);
      assertThat(server.get("/metrics").body())
          .containsPattern(
              "pentecost_audio_fanout_latency_seconds_count\\{[^}]*language=\"en\"[^}]*\\} [1-9]")
          .containsPattern("pentecost_audio_socket_flushes_total\\{[^}]*\\} [1-9]")
          .containsPattern("pentecost_audio_frames_in_total\\{[^}]*\\} [1-9]");
      assertThat(es.pollFrame(Duration.ofMillis(300))).as("nobody publishes es").isNull();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      en.forEach(WsClient::close);
    }
  }

  @Test
  void aPausedSessionDeliversNothingAndResumesContiguously() throws Exception {
    String id = server.createSession(alice, "en");
    try (WsClient l = clients.listener(id, "targetLanguage=en");
        WsClient s = clients.speaker(id)) {
      s.sendBinary(pcm(1));
      assertThat(AudioFrame.readHeader(l.nextFrame()).sequence()).isEqualTo(1);
      server.send("PATCH", "/sessions/" + id, alice, "{\"status\":\"paused\"}");
      l.awaitType("sessionPaused");
      s.sendBinary(pcm(2));
      assertThat(l.pollFrame(Duration.ofMillis(300))).isNull();
      server.send("PATCH", "/sessions/" + id, alice, "{\"status\":\"active\"}");
      l.awaitType("sessionResumed");
      s.sendBinary(pcm(3));
      assertThat(AudioFrame.readHeader(l.nextFrame()).sequence()).isEqualTo(2);
    }
  }

  @Test
  void aRefreshedListenerResumesWithNoGapAndNoDuplicate() {
    String id = server.createSession(alice, "en");
    try (WsClient s = clients.speaker(id)) {
      WsClient old = WsClient.connect(server, "sessionId=" + id);
      String oldId = old.next().get("connectionId").asText();
      for (int n = 1; n <= 10; n++) {
        s.sendBinary(pcm(n));
      }
      List<AudioFrame.Header> before = headers(old, 10);
      assertContiguous(before, 1);
      // It played up to 7 when it refreshed; frames keep coming meanwhile.
      for (int n = 11; n <= 13; n++) {
        s.sendBinary(pcm(n));
      }
      try (WsClient fresh =
          WsClient.connect(
              server, "sessionId=" + id + "&previousConnectionId=" + oldId + "&lastSeq=7")) {
        assertThat(fresh.next().get("type").asText()).isEqualTo("sessionJoined");
        for (int n = 14; n <= 20; n++) {
          s.sendBinary(pcm(n));
        }
        List<AudioFrame.Header> after = headers(fresh, 13);
        assertContiguous(after, 8);
        assertThat(after.get(0).replay()).isTrue();
        assertThat(after.get(12).replay()).isFalse();
        assertThat(fresh.pollFrame(Duration.ofMillis(200))).as("no duplicate").isNull();
        assertThat(server.listenerCount(id)).isEqualTo(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        old.close();
      }
    }
  }

  @Test
  void aResumeBeyondTheWindowIsToldAndJoinsLive() {
    String id = server.createSession(alice, "en");
    try (WsClient s = clients.speaker(id);
        WsClient witness = clients.listener(id)) {
      for (int n = 1; n <= 40; n++) {
        s.sendBinary(pcm(n)); // 800 ms of audio; the window keeps 400 ms
      }
      headers(witness, 40); // all 40 are through the server
      try (WsClient late = WsClient.connect(server, "sessionId=" + id + "&lastSeq=3")) {
        assertThat(late.next().get("type").asText()).isEqualTo("sessionJoined");
        JsonNode lost = late.awaitType("continuityLost");
        assertThat(lost.get("lastSeq").asLong()).isEqualTo(3);
        s.sendBinary(pcm(41));
        AudioFrame.Header first = AudioFrame.readHeader(late.nextFrame());
        assertThat(first.sequence()).isEqualTo(41);
        assertThat(first.discontinuity()).isTrue();
      }
    }
  }

  @Test
  void aSpeakerRefreshKeepsTheSequenceGoing() {
    String id = server.createSession(alice, "en");
    try (WsClient l = clients.listener(id)) {
      WsClient s1 = clients.connectSpeaker(id);
      String s1Id = s1.next().get("connectionId").asText();
      s1.sendBinary(pcm(1));
      s1.sendBinary(pcm(2));
      // Heard before the refresh starts: frames still in flight from s1 would race the takeover.
      assertContiguous(headers(l, 2), 1);
      try (WsClient s2 = clients.speaker(id, "previousConnectionId=" + s1Id)) {
        s1.sendBinary(pcm(99)); // the old connection no longer publishes
        s2.sendBinary(pcm(3));
        s1.closeNormally();
        assertContiguous(headers(l, 1), 3);
        assertThat(l.hasSeen("streamStopped")).isFalse();
      }
    }
  }

  @Test
  void aWorkerHearsTheSourceAndPublishesItsLanguageWithCaptions() {
    String id = server.createSession(alice, "en");
    try (WsClient s = clients.speaker(id);
        WsClient es =
            WsClient.connect(server, "sessionId=" + id + "&targetLanguage=es&fallback=source")) {
      JsonNode joined = es.next();
      assertThat(joined.get("streamAvailable").asBoolean()).isFalse();
      assertThat(joined.get("audioLanguage").asText()).isEqualTo("en");
      s.sendBinary(pcm(1));
      assertThat(AudioFrame.readHeader(es.nextFrame()).language()).isEqualTo("en");

      try (WsClient worker = clients.connectWorker(id, "es", "codec=opus", "frameMs=20")) {
        JsonNode w = worker.next();
        assertThat(w.get("role").asText()).isEqualTo("worker");
        assertThat(w.get("listenersByLanguage").get("es").asInt()).isEqualTo(1);
        assertThat(es.awaitType("streamStarted").get("language").asText()).isEqualTo("es");
        s.sendBinary(pcm(2));
        assertThat(AudioFrame.readHeader(worker.nextFrame()).language()).isEqualTo("en");
        worker.sendBinary(new byte[] {42, 43});
        byte[] translated = es.nextFrame();
        AudioFrame.Header h = AudioFrame.readHeader(translated);
        assertThat(h.language()).isEqualTo("es");
        assertThat(h.sequence()).isEqualTo(1);
        assertThat(h.discontinuity()).isTrue();
        assertThat(translated[16]).isEqualTo((byte) 42);

        worker.send("{\"action\":\"publishCaption\",\"text\":\"hola a todos\",\"final\":true}");
        JsonNode caption = es.awaitType("caption");
        assertThat(caption.get("language").asText()).isEqualTo("es");
        assertThat(caption.get("text").asText()).isEqualTo("hola a todos");
        worker.send("{\"action\":\"publishCaption\",\"text\":\"\"}");
        assertThat(worker.awaitType("error").get("code").asText()).isEqualTo("INVALID_REQUEST");
      }
      // the worker left: the listener is back on the floor audio
      es.awaitType("streamStopped");
      s.sendBinary(pcm(3));
      AudioFrame.Header back = AudioFrame.readHeader(es.nextFrame());
      assertThat(back.language()).isEqualTo("en");
      assertThat(back.discontinuity()).isTrue();
    }
  }

  @Test
  void workersNeedAToken() {
    String id = server.createSession(alice, "en");
    try (WsClient w =
        WsClient.connect(server, "sessionId=" + id + "&role=worker&targetLanguage=es")) {
      assertThat(w.next().get("code").asText()).isEqualTo("MISSING_TOKEN");
      assertThat(w.awaitClose()).isEqualTo(4401);
    }
    try (WsClient w =
        WsClient.connect(
            server,
            "sessionId="
                + id
                + "&role=worker&targetLanguage=es&token="
                + server.token("mallory"))) {
      assertThat(w.next().get("code").asText()).isEqualTo("NOT_SESSION_OWNER");
    }
  }

  @Test
  void aStalledListenerIsDroppedWhileOthersGetEverythingOnTime() throws Exception {
    String id = server.createSession(alice, "en");
    List<WsClient> healthy = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      healthy.add(clients.listener(id));
    }
    try (Socket stalled = stalledListener(id);
        WsClient s = clients.speaker(id)) {
      assertThat(server.listenerCount(id)).isEqualTo(101);
      byte[] second = new byte[32_000]; // one second of 16 kHz PCM per frame
      // Stream until the server gives up on the stalled listener (bounded at 40 frames); every
      // healthy listener must get every frame, in order, meanwhile.
      int sent = 0;
      while (sent < 40 && server.listenerCount(id) > 100) {
        s.sendBinary(second);
        sent++;
        for (WsClient c : healthy) {
          assertThat(AudioFrame.readHeader(c.nextFrame()).sequence()).isEqualTo(sent);
        }
        Thread.sleep(200);
      }
      assertThat(sent).isLessThan(40);
      // The stalled one fell behind, had frames dropped, and was disconnected.
      server.awaitListenerCount(id, 100);
      assertThat(server.get("/metrics").body())
          .containsPattern("pentecost_audio_frames_dropped_total\\{[^}]*\\} [1-9]");
    } finally {
      healthy.forEach(WsClient::close);
    }
  }

  /** A listener that completes the handshake and then never reads again. */
  private Socket stalledListener(String id) throws Exception {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096); // before connecting, so that the window stays small
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
    OutputStream out = socket.getOutputStream();
    out.write(
        ("GET /ws?sessionId="
                + id
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    server.awaitListenerCount(id, 101);
    return socket;
  }
}
