package org.pentecost.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.Clients;
import org.pentecost.server.testing.HookLog;
import org.pentecost.server.testing.RedisNodes;
import org.pentecost.server.testing.RedisTests;
import org.pentecost.server.testing.SharedNode;
import org.pentecost.server.testing.TestBackend;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * Two nodes on one Redis, both with the same webhook URL: each event arrives once, sent by the node
 * where it happened, whichever nodes the clients and requests use; a language with listeners on
 * both nodes is demanded once and abandoned once; an expiry both nodes purge is reported once.
 */
class WebhooksClusterIT {
  @TempDir Path dir;
  private final TestBackend backend = new TestBackend();
  private final HookLog hooks = new HookLog(backend);
  private RedisNodes nodes;
  private TestServer a;
  private TestServer b;

  @BeforeEach
  void redisIsThere() {
    RedisTests.requireRedis();
  }

  @AfterEach
  void stop() {
    if (nodes != null) {
      nodes.close();
    }
    backend.close();
  }

  private void startNodes(String... keyValues) {
    Map<String, String> s = new HashMap<>(SharedNode.loopback(keyValues));
    s.putAll(hooks.settings());
    nodes = RedisNodes.start(dir, 2, s);
    a = nodes.node(0);
    b = nodes.node(1);
  }

  @Test
  void eachEventArrivesOnceFromTheNodeWhereItHappened() {
    startNodes();
    String alice = a.token("alice");
    String id = a.createSession(alice, "en");
    WsClient speaker = Clients.of(a, alice).speaker(id);
    hooks.await("stream.started", id);
    try (WsClient onA = Clients.of(a, alice).listener(id, "targetLanguage=es");
        WsClient onB = Clients.of(b, alice).listener(id, "targetLanguage=es")) {
      b.awaitListenerCount(id, 2);
      onA.closeNormally();
      a.awaitListenerCount(id, 1);
      assertThat(hooks.of("language.abandoned", id)).isEmpty();
    }
    hooks.await("language.abandoned", id);
    assertThat(b.send("PATCH", "/sessions/" + id, alice, "{\"status\":\"paused\"}").status())
        .isEqualTo(200);
    hooks.await("session.paused", id);
    assertThat(a.send("PATCH", "/sessions/" + id, alice, "{\"status\":\"active\"}").status())
        .isEqualTo(200);
    hooks.await("session.resumed", id);
    speaker.closeNormally();
    hooks.await("speaker.disconnected", id);
    hooks.await("stream.stopped", id);
    assertThat(b.send("DELETE", "/sessions/" + id, alice, null).status()).isEqualTo(204);
    hooks.await("session.ended", id);
    settle();

    Map<String, Long> byType =
        hooks.all().stream()
            .collect(Collectors.groupingBy(e -> e.getString("type"), Collectors.counting()));
    assertThat(byType)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "session.created", 1L,
                "speaker.connected", 1L,
                "stream.started", 1L,
                "language.demanded", 1L,
                "language.abandoned", 1L,
                "session.paused", 1L,
                "session.resumed", 1L,
                "speaker.disconnected", 1L,
                "stream.stopped", 1L,
                "session.ended", 1L));
    hooks.assertAllSigned();
    // the node where each happened: the listener that left last was on B, the pause came to B
    assertThat(
            a.metric("pentecost_webhook_events_total") + b.metric("pentecost_webhook_events_total"))
        .isEqualTo(10);
    assertThat(b.metric("pentecost_webhook_events_total")).isEqualTo(3); // abandoned, paused, ended
  }

  @Test
  void anExpiryPurgedByBothNodesIsReportedOnce() {
    startNodes("sessions.ttl", "2s", "sessions.purgeInterval", "1s");
    String alice = a.token("alice");
    String id = b.createSession(alice, "en");
    JsonObject ended = hooks.await("session.ended", id);
    assertThat(ended.getJsonObject("data").getString("reason")).isEqualTo("expired");
    settle();
    List<JsonObject> all = hooks.of("session.ended", id);
    assertThat(all).hasSize(1);
  }

  /** Long enough for a duplicate, if any, to arrive. */
  private static void settle() {
    try {
      Thread.sleep(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
