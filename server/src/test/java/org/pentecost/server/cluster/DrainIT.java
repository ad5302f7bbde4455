package org.pentecost.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.pentecost.server.testing.AudioFrames.assertRun;
import static org.pentecost.server.testing.AudioFrames.pcm;
import static org.pentecost.server.testing.AudioFrames.receive;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.RedisTests;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * A node stopping (SIGTERM runs the same stop) drains: it refuses new WebSocket upgrades and
 * reports 503 on /health, asks its clients to refresh, and exits as soon as they have gone, or
 * closes the rest with 1001 after {@code connections.drainTimeout}. Its listeners refresh onto
 * another node and hear every frame once.
 */
class DrainIT {
  private static final String SECRET = "drain-it-shared-secret-0123456789abcdef";

  @TempDir Path dirA;
  @TempDir Path dirB;
  @TempDir Path dirSolo;

  private static Map<String, String> clusterSettings(String prefix) {
    Map<String, String> s = new HashMap<>(RedisTests.nodeSettings(RedisTests.URL, prefix));
    s.put("auth.hmacSecret", SECRET);
    s.put("limits.trustedNetworks", "127.0.0.0/8");
    s.put("connections.drainTimeout", "20s");
    return s;
  }

  @Test
  void listenersOfADrainingNodeRefreshOntoAnotherWithoutAGap() throws Exception {
    RedisTests.requireRedis();
    String prefix = RedisTests.randomPrefix();
    TestServer a = TestServer.start(dirA, clusterSettings(prefix));
    TestServer b = TestServer.start(dirB, clusterSettings(prefix));
    CompletableFuture<Void> aStopped = null;
    try {
      String alice = b.token("alice");
      String id = b.createSession(alice, "en");
      try (WsClient speaker =
              WsClient.connect(b, "sessionId=" + id + "&role=speaker&token=" + alice);
          WsClient onA = WsClient.connect(a, "sessionId=" + id + "&targetLanguage=en")) {
        speaker.awaitType("sessionJoined");
        String oldId = onA.awaitType("sessionJoined").get("connectionId").asText();
        awaitNodeSubscribed(prefix, id); // a fresh join hears the stream from then on
        for (int n = 1; n <= 10; n++) {
          speaker.sendBinary(pcm(n));
        }
        assertRun(receive(onA, 10), 1, 1);

        long started = System.nanoTime();
        aStopped = CompletableFuture.runAsync(a::stop);
        JsonNode refresh = onA.awaitType("connectionRefreshRequired");
        assertThat(refresh.get("closesInMs").asLong()).isEqualTo(20_000);
        assertThat(a.get("/health").status()).isEqualTo(503);
        assertThat(a.get("/health").json().get("status").asText()).isEqualTo("draining");
        assertThatThrownBy(() -> WsClient.connect(a, "sessionId=" + id + "&targetLanguage=en"))
            .as("a draining node takes no new connections")
            .isNotNull();

        // The stream goes on while the listener moves, as it would behind a load balancer.
        for (int n = 11; n <= 20; n++) {
          speaker.sendBinary(pcm(n));
        }
        List<long[]> heardOnA = receive(onA, 3);
        assertRun(heardOnA, 11, 11);
        long lastSeq = heardOnA.get(2)[0];
        try (WsClient onB =
            WsClient.connect(
                b,
                "sessionId="
                    + id
                    + "&targetLanguage=en&previousConnectionId="
                    + oldId
                    + "&lastSeq="
                    + lastSeq)) {
          onB.awaitType("sessionJoined");
          onA.closeNormally();
          for (int n = 21; n <= 30; n++) {
            speaker.sendBinary(pcm(n));
          }
          // Exactly the frames after lastSeq (14..20 from the window), then live (21..30).
          assertRun(receive(onB, 17), 14, 14);
          assertThat(onB.hasSeen("continuityLost")).isFalse();
        }
        // Its last client gone, the node stops long before the drain timeout.
        aStopped.get(15, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(15);
      }
    } finally {
      if (aStopped == null) {
        a.close();
      }
      b.close();
      RedisTests.deleteKeys(RedisTests.URL, prefix);
    }
  }

  private static void awaitNodeSubscribed(String prefix, String id) {
    String channel = RedisTests.audioChannel(prefix, id, "en");
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(5))
        .until(() -> RedisTests.subscribers(RedisTests.URL, channel) == 1);
  }

  @Test
  void connectionsThatDoNotRefreshAreClosedWhenTheDrainTimeEnds() throws Exception {
    TestServer solo =
        TestServer.start(
            dirSolo,
            Map.of("connections.drainTimeout", "1s", "limits.trustedNetworks", "127.0.0.0/8"));
    String id = solo.createSession(solo.token("alice"), "en");
    try (WsClient stays = WsClient.connect(solo, "sessionId=" + id)) {
      stays.awaitType("sessionJoined");
      CompletableFuture<Void> stopped = CompletableFuture.runAsync(solo::stop);
      assertThat(stays.awaitType("connectionRefreshRequired").get("closesInMs").asLong())
          .isEqualTo(1000);
      assertThat(stays.awaitClose()).isEqualTo(1001);
      stopped.get(10, TimeUnit.SECONDS);
    }
  }
}
