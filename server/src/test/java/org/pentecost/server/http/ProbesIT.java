package org.pentecost.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.internal.VertxInternal;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.RedisServerProcess;
import org.pentecost.server.testing.RedisTests;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * The probes: {@code /health/live} answers while every event loop runs and fails while one is
 * blocked; {@code /health/ready} fails, naming the check, while Redis is down and while the node
 * drains, and recovers by itself; {@code /health} names the environment.
 */
class ProbesIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void aFreshNodeIsLiveAndReadyAndHealthNamesItsEnvironment() {
    try (TestServer node = TestServer.start(dir)) {
      TestServer.Response live = node.get("/health/live");
      assertThat(live.status()).isEqualTo(200);
      assertThat(live.json().get("status").asText()).isEqualTo("live");
      assertThat(live.json().get("eventLoops").asInt()).isPositive();
      TestServer.Response ready = node.get("/health/ready");
      assertThat(ready.status()).isEqualTo(200);
      assertThat(ready.json().get("status").asText()).isEqualTo("ready");
      assertThat(ready.json().get("failed")).isEmpty();
      assertThat(ready.json().at("/checks/store").asText()).isEqualTo("connected");
      TestServer.Response health = node.get("/health");
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.json().get("environment").asText()).isEqualTo("dev");
      assertThat(node.get("/metrics").status()).isEqualTo(200);
    }
  }

  @Test
  void readyFailsWhileRedisIsDownAndRecoversWhileLiveStaysUp() {
    try (RedisServerProcess redis = RedisServerProcess.start();
        TestServer node =
            TestServer.start(
                dir, RedisTests.nodeSettings(redis.url(), RedisTests.randomPrefix()))) {
      assertThat(node.get("/health/ready").status()).isEqualTo(200);

      redis.kill();
      TestServer.Response down = node.get("/health/ready");
      assertThat(down.status()).isEqualTo(503);
      assertThat(down.json().get("failed")).extracting(JsonNode::asText).containsExactly("store");
      assertThat(down.json().at("/checks/store").asText()).isEqualTo("unavailable");
      assertThat(node.get("/health/live").status())
          .as("a lost Redis must not get the pod restarted")
          .isEqualTo(200);

      redis.restart();
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> node.get("/health/ready").status() == 200);
    }
  }

  @Test
  void readyFailsWhileTheNodeDrains() throws Exception {
    TestServer node = TestServer.start(dir, Map.of("connections.drainTimeout", "5s"));
    CompletableFuture<Void> stopped = null;
    try (WsClient speaker = listenerHeldOpen(node)) {
      stopped = CompletableFuture.runAsync(node::stop);
      speaker.awaitType("connectionRefreshRequired");
      TestServer.Response ready = node.get("/health/ready");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().get("failed")).extracting(JsonNode::asText).containsExactly("drain");
      assertThat(ready.json().at("/checks/drain").asText()).isEqualTo("draining");
      assertThat(node.get("/health/live").status()).isEqualTo(200);
    } finally {
      if (stopped == null) {
        node.stop();
      } else {
        stopped.get();
      }
    }
  }

  private static WsClient listenerHeldOpen(TestServer node) {
    String alice = node.token("alice");
    String id = node.createSession(alice, "en");
    WsClient speaker = WsClient.connect(node, "sessionId=" + id + "&role=speaker&token=" + alice);
    speaker.awaitType("sessionJoined");
    return speaker;
  }

  @Test
  void liveFailsWhileAnEventLoopIsBlockedAndRecoversAfter() throws Exception {
    try (TestServer node = TestServer.start(dir, Map.of("server.maxEventLoopStall", "300ms"))) {
      assertThat(node.get("/health/live").status()).isEqualTo(200);
      List<EventExecutor> loops = new ArrayList<>();
      ((VertxInternal) node.server().vertx()).nettyEventLoopGroup().forEach(loops::add);
      // Deliberately blocked: what a blocking call on an event loop does to a node.
      loops
          .get(loops.size() - 1)
          .execute(
              () -> {
                try {
                  Thread.sleep(3000);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      // A probe request may land on the blocked loop and time out (a failure too, for Kubernetes);
      // one on another loop answers 503 and names the stalled loop.
      JsonNode stalled =
          Awaitility.await()
              .atMost(Duration.ofSeconds(3))
              .pollInterval(Duration.ofMillis(100))
              .until(() -> probe(node.port()), body -> body != null);
      assertThat(stalled.get("status").asText()).isEqualTo("stalled");
      assertThat(stalled.get("stalledEventLoops"))
          .extracting(JsonNode::asInt)
          .contains(loops.size() - 1);
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> node.get("/health/live").status() == 200);
    }
  }

  /** The body of a 503 from /health/live on a new connection, or null (200, or no answer). */
  private static JsonNode probe(int port) {
    try {
      HttpURLConnection c =
          (HttpURLConnection)
              URI.create("http://127.0.0.1:" + port + "/health/live").toURL().openConnection();
      c.setRequestProperty("Connection", "close");
      c.setConnectTimeout(500);
      c.setReadTimeout(500);
      if (c.getResponseCode() != 503) {
        return null;
      }
      return JSON.readTree(new String(c.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    } catch (Exception e) {
      return null;
    }
  }
}
