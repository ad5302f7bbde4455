package org.pentecost.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pentecost.server.testing.AudioFrames.assertRun;
import static org.pentecost.server.testing.AudioFrames.pcm;
import static org.pentecost.server.testing.AudioFrames.receive;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.protocol.AudioFrame;
import org.pentecost.server.testing.Clients;
import org.pentecost.server.testing.RedisTestClient;
import org.pentecost.server.testing.RedisTests;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * Three nodes on one Redis as one service for live audio: frames cross nodes with their sequence
 * numbers, listeners resume on another node, a speaker moves between nodes, session events and
 * listener counts reach every node, and Redis carries each frame once per node.
 */
class ClusterAudioIT {
  private static final String SECRET = "cluster-audio-it-shared-secret-0123456789";

  @TempDir static Path dirA;
  @TempDir static Path dirB;
  @TempDir static Path dirC;
  static String prefix;
  static TestServer a;
  static TestServer b;
  static TestServer c;
  static String alice;

  @BeforeAll
  static void start() {
    if (RedisTests.pingProblem(RedisTests.URL) != null) {
      return; // each test then reports the skip (or, under CI, fails)
    }
    prefix = RedisTests.randomPrefix();
    a = TestServer.start(dirA, settings());
    b = TestServer.start(dirB, settings());
    c = TestServer.start(dirC, settings());
    alice = a.token("alice");
  }

  @BeforeEach
  void redisIsThere() {
    RedisTests.requireRedis();
  }

  @AfterAll
  static void stop() {
    for (TestServer s : new TestServer[] {a, b, c}) {
      if (s != null) {
        s.close();
      }
    }
    if (prefix != null) {
      RedisTests.deleteKeys(RedisTests.URL, prefix);
    }
  }

  private static Map<String, String> settings() {
    Map<String, String> s = new HashMap<>(RedisTests.nodeSettings(RedisTests.URL, prefix));
    s.put("auth.hmacSecret", SECRET);
    s.put("limits.sessionCreatesPerHour", "1000");
    s.put("limits.trustedNetworks", "127.0.0.0/8");
    s.put("audio.replayWindow", "2s");
    s.put("connections.refreshOverlap", "500ms");
    s.put("connections.statsInterval", "200ms");
    return s;
  }

  static WsClient listener(TestServer node, String id, String... params) {
    return Clients.of(node, alice).listener(id, params);
  }

  static WsClient speaker(TestServer node, String id, String... params) {
    return Clients.of(node, alice).speaker(id, params);
  }

  static void awaitSubscribers(String id, String language, long n) {
    String channel = RedisTests.audioChannel(prefix, id, language);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> RedisTests.subscribers(RedisTests.URL, channel) == n);
  }

  @Test
  void listenersOnEveryNodeGetEveryFrameWithTheSameSequenceNumbersAndRedisCarriesItOncePerNode() {
    String id = a.createSession(alice, "en");
    try (WsClient onA = listener(a, id, "targetLanguage=en");
        WsClient onB = listener(b, id, "targetLanguage=en");
        WsClient onB2 = listener(b, id, "targetLanguage=en")) {
      awaitSubscribers(id, "en", 2); // nodes a and b, not one per listener
      try (WsClient s = speaker(a, id, "codec=pcm16", "sampleRate=16000")) {
        JsonNode started = onB.awaitType("streamStarted");
        assertThat(started.get("audio").get("codec").asText()).isEqualTo("pcm16");
        for (int n = 1; n <= 50; n++) {
          s.sendBinary(pcm(n));
        }
        assertRun(receive(onA, 50), 1, 1);
        assertRun(receive(onB, 50), 1, 1);
        assertRun(receive(onB2, 50), 1, 1);
        // a listener joining on b now hears the stream as live, with its format
        WsClient late = WsClient.connect(b, "sessionId=" + id + "&targetLanguage=en");
        JsonNode joined = late.next();
        assertThat(joined.get("streamAvailable").asBoolean()).isTrue();
        assertThat(joined.get("speakerConnected").asBoolean()).isTrue();
        assertThat(joined.get("audio").get("sampleRate").asInt()).isEqualTo(16000);
        late.close();
      }
      onB.awaitType("streamStopped");
    }
  }

  @Test
  void aListenerResumesOnAnotherNodeWithNoGapAndNoDuplicate() throws Exception {
    String id = a.createSession(alice, "en");
    try (WsClient s = speaker(a, id);
        WsClient onB = listener(b, id, "targetLanguage=en")) {
      awaitSubscribers(id, "en", 1);
      for (int n = 1; n <= 20; n++) {
        s.sendBinary(pcm(n));
      }
      assertRun(receive(onB, 20), 1, 1);
      onB.abort();
      for (int n = 21; n <= 30; n++) {
        s.sendBinary(pcm(n));
      }
      // c has never heard this stream: it subscribes, reads the shared window, then serves
      WsClient onC = WsClient.connect(c, "sessionId=" + id + "&targetLanguage=en&lastSeq=12");
      // frames keep coming while it joins
      Thread sender =
          new Thread(
              () -> {
                for (int n = 31; n <= 60; n++) {
                  s.sendBinary(pcm(n));
                  try {
                    Thread.sleep(5);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      sender.start();
      try {
        assertThat(onC.next().get("type").asText()).isEqualTo("sessionJoined");
        assertRun(receive(onC, 48), 13, 13);
        assertThat(onC.pollFrame(Duration.ofMillis(300))).as("no duplicate").isNull();
        assertThat(onC.hasSeen("continuityLost")).isFalse();
      } finally {
        sender.join();
        onC.close();
      }
    }
  }

  @Test
  void aListenerBeyondTheSharedWindowIsToldContinuityWasLost() {
    String id = a.createSession(alice, "en");
    try (WsClient s = speaker(a, id)) {
      for (int n = 1; n <= 150; n++) { // 3 s of audio, more than the 2 s window
        s.sendBinary(pcm(n));
      }
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> {
                try (RedisTestClient redis = new RedisTestClient(RedisTests.URL)) {
                  Object len = redis.call("LLEN", prefix + "audio:{" + id + "}:en");
                  return Long.parseLong(String.valueOf(len)) > 0
                      && Long.parseLong(String.valueOf(len)) <= 103;
                }
              });
      try (WsClient onC = WsClient.connect(c, "sessionId=" + id + "&targetLanguage=en&lastSeq=3")) {
        assertThat(onC.next().get("type").asText()).isEqualTo("sessionJoined");
        assertThat(onC.awaitType("continuityLost").get("lastSeq").asLong()).isEqualTo(3);
      }
    }
  }

  @Test
  void aSpeakerRefreshingOntoAnotherNodeKeepsTheSequenceGoing() throws Exception {
    String id = a.createSession(alice, "en");
    try (WsClient onA = listener(a, id, "targetLanguage=en");
        WsClient onB = listener(b, id, "targetLanguage=en")) {
      awaitSubscribers(id, "en", 2);
      WsClient first = Clients.of(a, alice).connectSpeaker(id);
      String firstId = first.next().get("connectionId").asText();
      for (int n = 1; n <= 10; n++) {
        first.sendBinary(pcm(n));
      }
      assertRun(receive(onA, 10), 1, 1);
      assertRun(receive(onB, 10), 1, 1);
      try (WsClient second =
          Clients.of(b, alice)
              .connectSpeaker(id, "action=refreshConnection", "previousConnectionId=" + firstId)) {
        assertThat(second.next().get("type").asText()).isEqualTo("sessionJoined");
        // the old connection is replaced: node a closes it after the refresh overlap
        first.awaitClose();
        for (int n = 11; n <= 30; n++) {
          second.sendBinary(pcm(n));
        }
        assertRun(receive(onA, 20), 11, 11);
        assertRun(receive(onB, 20), 11, 11);
        assertThat(onA.hasSeen("speakerDisconnected")).isFalse();
        assertThat(onA.hasSeen("streamStopped")).isFalse();
        assertThat(onB.hasSeen("streamStopped")).isFalse();
      }
    }
  }

  @Test
  void pauseResumeAndEndThroughAnotherNodeReachEveryConnection() {
    String id = a.createSession(alice, "en");
    try (WsClient s = speaker(a, id);
        WsClient onA = listener(a, id, "targetLanguage=en");
        WsClient onC = listener(c, id, "targetLanguage=en")) {
      assertThat(b.send("PATCH", "/sessions/" + id, alice, "{\"status\":\"paused\"}").status())
          .isEqualTo(200);
      onA.awaitType("sessionPaused");
      onC.awaitType("sessionPaused");
      s.awaitType("sessionPaused");
      s.sendBinary(pcm(1));
      assertThat(b.send("PATCH", "/sessions/" + id, alice, "{\"status\":\"active\"}").status())
          .isEqualTo(200);
      onA.awaitType("sessionResumed");
      onC.awaitType("sessionResumed");
      assertThat(b.send("DELETE", "/sessions/" + id, alice, null).status()).isEqualTo(204);
      onA.awaitType("sessionEnded");
      onC.awaitType("sessionEnded");
      s.awaitType("sessionEnded");
      onA.awaitClose();
      s.awaitClose();
    }
  }

  @Test
  void aFallbackListenerMovesToAWorkersLanguageAndCaptionsPublishedOnAnotherNodeAndBack()
      throws Exception {
    String id = a.createSession(alice, "en");
    try (WsClient s = speaker(a, id);
        WsClient es =
            WsClient.connect(b, "sessionId=" + id + "&targetLanguage=es&fallback=source")) {
      JsonNode joined = es.next();
      assertThat(joined.get("streamAvailable").asBoolean()).isFalse();
      assertThat(joined.get("audioLanguage").asText()).isEqualTo("en");
      assertThat(joined.get("speakerConnected").asBoolean()).isTrue();
      awaitSubscribers(id, "en", 1);
      s.sendBinary(pcm(1));
      assertThat(AudioFrame.readHeader(es.nextFrame()).language()).isEqualTo("en");
      try (WsClient worker = Clients.of(a, alice).connectWorker(id, "es")) {
        assertThat(worker.next().get("role").asText()).isEqualTo("worker");
        assertThat(es.awaitType("streamStarted").get("language").asText()).isEqualTo("es");
        awaitSubscribers(id, "es", 1);
        worker.sendBinary(new byte[] {42, 43});
        byte[] translated = es.nextFrame();
        AudioFrame.Header h = AudioFrame.readHeader(translated);
        assertThat(h.language()).isEqualTo("es");
        assertThat(h.sequence()).isEqualTo(1);
        assertThat(translated[16]).isEqualTo((byte) 42);
        // Its captions cross too.
        worker.send("{\"action\":\"publishCaption\",\"text\":\"hola a todos\"}");
        JsonNode caption = es.awaitType("caption");
        assertThat(caption.get("language").asText()).isEqualTo("es");
        assertThat(caption.get("text").asText()).isEqualTo("hola a todos");
      }
      es.awaitType("streamStopped");
      awaitSubscribers(id, "en", 1);
      s.sendBinary(pcm(2));
      AudioFrame.Header back = AudioFrame.readHeader(es.nextFrame());
      assertThat(back.language()).isEqualTo("en");
      assertThat(back.sequence()).isEqualTo(2);
    }
  }

  @Test
  void aNodeStartedAfterAStreamBeganLearnsOfItFromTheOthers(@TempDir Path dirD) {
    String id = a.createSession(alice, "en");
    try (WsClient s = speaker(a, id);
        WsClient worker = Clients.of(a, alice).connectWorker(id, "es")) {
      worker.awaitType("sessionJoined");
      try (TestServer d = TestServer.start(dirD, settings());
          WsClient es =
              WsClient.connect(d, "sessionId=" + id + "&targetLanguage=es&fallback=source")) {
        es.awaitType("sessionJoined");
        // Told by the nodes that publish in the session, whatever the join itself could say.
        await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () ->
                    es.seen().stream()
                        .anyMatch(
                            m ->
                                ("sessionJoined".equals(m.get("type").asText())
                                        && m.get("streamAvailable").asBoolean())
                                    || ("streamStarted".equals(m.get("type").asText())
                                        && "es".equals(m.get("language").asText()))));
        awaitSubscribers(id, "es", 1);
        worker.sendBinary(new byte[] {7, 8});
        byte[] frame = es.nextFrame();
        assertThat(AudioFrame.readHeader(frame).language()).isEqualTo("es");
        assertThat(frame[16]).isEqualTo((byte) 7);
      }
    }
  }

  @Test
  void aRefreshOntoAnotherNodeRetiresTheOldConnectionThere() {
    String id = a.createSession(alice, "en");
    try (WsClient s = speaker(a, id);
        WsClient onB = listener(b, id, "targetLanguage=en")) {
      String oldId = onB.seen().get(0).get("connectionId").asText();
      b.awaitListenerCount(id, 1);
      try (WsClient onC =
          WsClient.connect(
              c,
              "sessionId="
                  + id
                  + "&targetLanguage=en&action=refreshConnection&previousConnectionId="
                  + oldId
                  + "&lastSeq=0")) {
        assertThat(onC.awaitType("connectionRefreshComplete").get("previousConnectionId").asText())
            .isEqualTo(oldId);
        // node b gives up the old place at once and closes the old connection after the overlap
        assertThat(onB.awaitClose()).isEqualTo(4002);
        a.awaitListenerCount(id, 1);
        awaitSubscribers(id, "en", 1);
        s.sendBinary(pcm(1));
        assertRun(receive(onC, 1), 1, 1);
      }
    }
  }

  @Test
  void aMessageForAConnectionReachesItOnWhicheverNodeItIs() {
    String id = a.createSession(alice, "en");
    try (WsClient onC = listener(c, id, "targetLanguage=en")) {
      String connectionId = onC.seen().get(0).get("connectionId").asText();
      io.vertx.core.json.JsonObject note =
          new io.vertx.core.json.JsonObject().put("type", "notice").put("text", "from A");
      assertThat(a.server().gateway().sendToConnection(connectionId, note))
          .as("not on A")
          .isFalse();
      assertThat(onC.awaitType("notice").get("text").asText()).isEqualTo("from A");
      assertThat(c.server().gateway().sendToConnection(connectionId, note.put("text", "local")))
          .isTrue();
      assertThat(onC.awaitType("notice").get("text").asText()).isEqualTo("local");
    }
  }

  @Test
  void listenerStatsOnTheSpeakersNodeCountListenersOnOtherNodes() {
    String id = a.createSession(alice, "en");
    try (WsClient s = speaker(a, id)) {
      WsClient es = listener(b, id, "targetLanguage=es");
      JsonNode stats = s.awaitType("listenerStats");
      assertThat(stats.get("listenersByLanguage").get("es").asInt()).isEqualTo(1);
      assertThat(stats.get("languagesGained").toString()).isEqualTo("[\"es\"]");
      es.closeNormally();
      es.awaitClose();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  s.seen().stream()
                      .anyMatch(
                          m ->
                              m.path("type").asText().equals("listenerStats")
                                  && m.path("languagesLost").toString().equals("[\"es\"]")));
    }
  }
}
