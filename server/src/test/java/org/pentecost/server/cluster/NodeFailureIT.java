package org.pentecost.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pentecost.server.testing.AudioFrames.assertRun;
import static org.pentecost.server.testing.AudioFrames.drain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.auth.HmacSecret;
import org.pentecost.server.auth.TokenMinter;
import org.pentecost.server.testing.Clients;
import org.pentecost.server.testing.RedisTests;
import org.pentecost.server.testing.ServerProcess;
import org.pentecost.server.testing.Talker;
import org.pentecost.server.testing.WsClient;

/**
 * A node killed mid-stream ({@code kill -9} of its JVM): its listeners reconnect to another node
 * with {@code previousConnectionId} and {@code lastSeq} and hear exactly what they missed, then
 * live; the other node's listeners and the speaker notice nothing; the dead node's listeners leave
 * the session's count within {@code store.nodeLease}.
 */
class NodeFailureIT {
  private static final String SECRET = "node-failure-it-shared-secret-0123456789";
  private static final Duration LEASE = Duration.ofSeconds(3);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private Path config(String prefix) throws Exception {
    String yaml =
        String.join(
            "\n",
            "store:",
            "  type: redis",
            "  nodeLease: " + LEASE.toSeconds() + "s",
            "  redis:",
            "    url: " + RedisTests.URL,
            "    keyPrefix: \"" + prefix + "\"",
            "auth:",
            "  hmacSecret: \"" + SECRET + "\"",
            "limits:",
            "  trustedNetworks: [\"127.0.0.0/8\"]",
            "audio:",
            "  replayWindow: 5s",
            "");
    return Files.writeString(dir.resolve("node.yaml"), yaml);
  }

  private static JsonNode get(ServerProcess node, String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  private static String createSession(ServerProcess node, String token) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/sessions"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sourceLanguage\":\"en\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return JSON.readTree(r.body()).get("sessionId").asText();
  }

  private static WsClient join(ServerProcess node, String query) {
    return Clients.join(node.port(), query);
  }

  @Test
  void listenersOfAKilledNodeResumeOnAnotherAndLeaveTheCountsWithinTheLease() throws Exception {
    RedisTests.requireRedis();
    String prefix = RedisTests.randomPrefix();
    Path config = config(prefix);
    ServerProcess a =
        ServerProcess.serve(dir.resolve("a"), "--config", config.toString(), "--host", "127.0.0.1");
    ServerProcess b =
        ServerProcess.serve(dir.resolve("b"), "--config", config.toString(), "--host", "127.0.0.1");
    List<WsClient> clients = new ArrayList<>();
    try {
      String alice =
          TokenMinter.mint(
              HmacSecret.loadOrCreate(null, SECRET),
              "pentecost",
              "alice",
              Duration.ofHours(1),
              Clock.systemUTC());
      String id = createSession(b, alice);
      String listen = "sessionId=" + id + "&targetLanguage=en";
      WsClient speaker = join(b, "sessionId=" + id + "&role=speaker&token=" + alice);
      WsClient onA1 = join(a, listen);
      WsClient onA2 = join(a, listen);
      WsClient onB = join(b, listen);
      clients.addAll(List.of(speaker, onA1, onA2, onB));
      String channel = RedisTests.audioChannel(prefix, id, "en");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> RedisTests.subscribers(RedisTests.URL, channel) == 2); // a and b, each once
      assertThat(get(b, "/sessions/" + id).get("listenerCount").asInt()).isEqualTo(3);

      // The speaker talks, one 20 ms frame every 10 ms, before, during and after the kill.
      int total = 400;
      Talker sender = Talker.start(speaker, total);
      await().atMost(Duration.ofSeconds(10)).until(() -> sender.sent() >= 60);
      String oldA1 = onA1.seen().get(0).get("connectionId").asText();
      String oldA2 = onA2.seen().get(0).get("connectionId").asText();

      long killedAt = System.nanoTime();
      a.kill(); // destroyForcibly of A's JVM (SIGKILL by its PID)
      assertThat(a.isAlive()).isFalse();
      assertThat(onA1.awaitClose()).as("abnormal close").isIn(-1, 1006);
      assertThat(onA2.awaitClose()).as("abnormal close").isIn(-1, 1006);
      int sentAtKill = sender.sent();

      // A's listeners, as their clients would, reconnect (through the load balancer) to B.
      List<long[]> a1 = drain(onA1, Duration.ofMillis(50));
      List<long[]> a2 = drain(onA2, Duration.ofMillis(50));
      assertThat(a1).as("A's listeners heard frames before the kill").isNotEmpty();
      assertThat(a1.size()).isLessThanOrEqualTo(sentAtKill);
      WsClient onA1again =
          join(
              b,
              listen + "&previousConnectionId=" + oldA1 + "&lastSeq=" + a1.get(a1.size() - 1)[0]);
      WsClient onA2again =
          join(
              b,
              listen + "&previousConnectionId=" + oldA2 + "&lastSeq=" + a2.get(a2.size() - 1)[0]);
      clients.addAll(List.of(onA1again, onA2again));

      // A's dead listeners leave the count within the lease; the reconnected ones are counted.
      await()
          .atMost(LEASE.plusSeconds(2))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> get(b, "/sessions/" + id).get("listenerCount").asInt() == 3);
      long reapedAfterMillis = (System.nanoTime() - killedAt) / 1_000_000;
      assertThat(reapedAfterMillis)
          .as("the dead node's listeners are reaped within store.nodeLease")
          .isLessThanOrEqualTo(LEASE.toMillis() + 1_000);

      sender.join(30_000);
      assertThat(sender.failed()).as("the speaker's connection stayed up").isFalse();
      a1.addAll(drain(onA1again, Duration.ofSeconds(2)));
      a2.addAll(drain(onA2again, Duration.ofSeconds(2)));
      assertRun("A's first listener, before and after the kill", a1, 1, total);
      assertRun("A's second listener, before and after the kill", a2, 1, total);
      assertRun("B's listener", drain(onB, Duration.ofSeconds(2)), 1, total);
      for (WsClient c : List.of(onA1again, onA2again)) {
        assertThat(c.hasSeen("continuityLost")).isFalse();
        assertThat(c.isClosed()).isFalse();
      }
      assertThat(onB.hasSeen("streamStopped")).isFalse();
      assertThat(onB.hasSeen("speakerDisconnected")).isFalse();
      assertThat(onB.isClosed()).isFalse();
      assertThat(speaker.isClosed()).isFalse();
      assertThat(speaker.hasSeen("error")).isFalse();

      JsonNode session = get(b, "/sessions/" + id);
      assertThat(session.get("listenerCount").asInt()).isEqualTo(3);
      assertThat(session.get("listenersByLanguage").get("en").asInt()).isEqualTo(3);
      assertThat(session.get("status").asText()).isEqualTo("active");
    } finally {
      for (WsClient c : clients) {
        c.close();
      }
      a.close();
      b.close();
      RedisTests.deleteKeys(RedisTests.URL, prefix);
    }
  }
}
