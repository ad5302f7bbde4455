package org.pentecost.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.AudioFrames;
import org.pentecost.server.testing.Clients;
import org.pentecost.server.testing.RedisNodes;
import org.pentecost.server.testing.RedisTests;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * Two nodes on one Redis: a session's listeners on both count in one summary (peaks from the
 * cluster's counts, listener time added up from both nodes), and its final captions are one
 * transcript, read from either node.
 */
class SummaryClusterIT {
  @TempDir Path dir;
  private RedisNodes nodes;

  @BeforeEach
  void redisIsThere() {
    RedisTests.requireRedis();
  }

  @AfterEach
  void stop() {
    if (nodes != null) {
      nodes.close();
    }
  }

  @Test
  void listenersOnBothNodesAddUp() throws InterruptedException {
    nodes =
        RedisNodes.start(
            dir,
            2,
            Map.of("limits.trustedNetworks", "127.0.0.0/8", "limits.sessionCreatesPerHour", "100"));
    nodes.awaitConnected();
    TestServer a = nodes.node(0);
    TestServer b = nodes.node(1);
    String alice = a.token("alice");
    String id = a.createSession(alice, "en");
    try (WsClient speaker = Clients.of(a, alice).speaker(id);
        WsClient onA = Clients.of(a, alice).listener(id);
        WsClient onB = Clients.of(b, alice).listener(id)) {
      for (int n = 0; n < 5; n++) {
        speaker.sendBinary(AudioFrames.pcm(n));
      }
      onB.nextFrame();
      speaker.send("{\"action\":\"publishCaption\",\"text\":\"one transcript\",\"final\":true}");
      Thread.sleep(3000); // two listeners, 3 s each: 0.1 listener-minutes, 0.05 per node
      assertThat(a.send("DELETE", "/sessions/" + id, alice, null).status()).isEqualTo(204);
    }
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> {
              JsonNode s = b.send("GET", "/sessions/" + id + "/summary", alice, null).json();
              return s.get("listenerMinutes").asDouble() >= 0.09
                  && s.get("languages").size() == 1
                  && !s.get("languages").get(0).get("audio").isNull();
            });
    JsonNode s = b.send("GET", "/sessions/" + id + "/summary", alice, null).json();
    assertThat(s.get("peakListeners").asInt()).isEqualTo(2);
    assertThat(s.get("listenerMinutes").asDouble()).isBetween(0.09, 0.5);
    assertThat(s.get("languages").get(0).get("audio").get("frames").asLong()).isEqualTo(5);
    assertThat(a.send("GET", "/sessions/" + id + "/summary", alice, null).body())
        .isEqualTo(b.send("GET", "/sessions/" + id + "/summary", alice, null).body());

    String path = "/sessions/" + id + "/transcript?language=en";
    assertThat(b.send("GET", path, alice, null).body()).contains("one transcript");
    assertThat(a.send("GET", path, alice, null).body())
        .isEqualTo(b.send("GET", path, alice, null).body());
  }
}
