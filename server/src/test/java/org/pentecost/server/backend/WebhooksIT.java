package org.pentecost.server.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.Clients;
import org.pentecost.server.testing.HookLog;
import org.pentecost.server.testing.SharedNode;
import org.pentecost.server.testing.TestBackend;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * Webhooks on one node, received by a real HTTP backend: every event type arrives signed, in the
 * documented shape; a language is demanded by its first listener and abandoned by its last (by a
 * close or a switch); a failed delivery is retried with the same id; a full queue drops its oldest
 * and counts them; an expiry is reported once.
 */
class WebhooksIT {
  @TempDir Path dir;
  private final TestBackend backend = new TestBackend();
  private final HookLog hooks = new HookLog(backend);
  private TestServer server;

  private TestServer start(String... keyValues) {
    Map<String, String> settings = new HashMap<>(SharedNode.loopback(keyValues));
    settings.putAll(hooks.settings());
    server = TestServer.start(dir, settings);
    return server;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    backend.close();
  }

  @Test
  void everyEventTypeArrivesSignedAndShapedAsDocumented() {
    start();
    String alice = server.token("alice");
    Clients clients = Clients.of(server, alice);
    String id = server.createSession(alice, "en");
    JsonObject created = hooks.await("session.created", id);
    assertThat(created.getJsonObject("data").getString("sourceLanguage")).isEqualTo("en");
    assertThat(created.getJsonObject("data").getString("speakerUserId")).isEqualTo("alice");
    assertThat(created.getLong("timestamp"))
        .isBetween(System.currentTimeMillis() - 60_000, System.currentTimeMillis());

    WsClient speaker = clients.speaker(id);
    String speakerId = speaker.seen().get(0).get("connectionId").asText();
    assertThat(hooks.await("speaker.connected", id).getJsonObject("data").getString("connectionId"))
        .isEqualTo(speakerId);
    JsonObject started = hooks.await("stream.started", id);
    assertThat(started.getJsonObject("data").getString("language")).isEqualTo("en");
    assertThat(started.getJsonObject("data").getString("role")).isEqualTo("speaker");
    assertThat(started.getJsonObject("data").getJsonObject("format").getString("codec"))
        .isNotBlank();

    WsClient worker = Clients.joined(clients.connectWorker(id, "es"));
    JsonObject workerStream = hooks.await("stream.started", id, 2).get(1).getJsonObject("data");
    assertThat(workerStream.getString("language")).isEqualTo("es");
    assertThat(workerStream.getString("role")).isEqualTo("worker");

    try (WsClient listener = clients.listener(id, "targetLanguage=es")) {
      assertThat(language(hooks.await("language.demanded", id))).isEqualTo("es");
    }
    assertThat(language(hooks.await("language.abandoned", id))).isEqualTo("es");

    assertThat(server.send("PATCH", "/sessions/" + id, alice, "{\"status\":\"paused\"}").status())
        .isEqualTo(200);
    assertThat(hooks.await("session.paused", id).getJsonObject("data").getString("status"))
        .isEqualTo("paused");
    server.send("PATCH", "/sessions/" + id, alice, "{\"status\":\"active\"}");
    hooks.await("session.resumed", id);

    worker.closeNormally();
    assertThat(language(hooks.await("stream.stopped", id))).isEqualTo("es");
    speaker.closeNormally();
    JsonObject dropped = hooks.await("speaker.disconnected", id);
    assertThat(dropped.getJsonObject("data").getString("connectionId")).isEqualTo(speakerId);
    assertThat(dropped.getJsonObject("data").getLong("gracePeriodMs")).isEqualTo(30_000L);
    assertThat(hooks.await("stream.stopped", id, 2))
        .extracting(WebhooksIT::language)
        .containsExactly("es", "en");

    assertThat(server.send("DELETE", "/sessions/" + id, alice, null).status()).isEqualTo(204);
    assertThat(hooks.await("session.ended", id).getJsonObject("data").getString("reason"))
        .isEqualTo("ended");

    List<JsonObject> all = hooks.all();
    assertThat(all)
        .extracting(e -> e.getString("type"))
        .containsExactlyInAnyOrder(
            "session.created",
            "speaker.connected",
            "stream.started",
            "stream.started",
            "language.demanded",
            "language.abandoned",
            "session.paused",
            "session.resumed",
            "stream.stopped",
            "speaker.disconnected",
            "stream.stopped",
            "session.ended");
    assertThat(all).extracting(e -> e.getString("id")).doesNotHaveDuplicates();
    assertThat(all)
        .allSatisfy(
            e ->
                assertThat(e.fieldNames())
                    .containsExactlyInAnyOrder("id", "type", "timestamp", "sessionId", "data"));
    hooks.assertAllSigned();
    assertThat(server.metric("pentecost_webhook_deliveries_total")).isEqualTo(all.size());
  }

  @Test
  void aLanguageIsDemandedByItsFirstListenerAndAbandonedByItsLastIncludingBySwitching() {
    start();
    String alice = server.token("alice");
    Clients clients = Clients.of(server, alice);
    String id = server.createSession(alice, "en");
    try (WsClient first = clients.listener(id, "targetLanguage=es");
        WsClient second = clients.listener(id, "targetLanguage=es")) {
      assertThat(language(hooks.await("language.demanded", id))).isEqualTo("es");
      first.closeNormally();
      server.awaitListenerCount(id, 1);
      second.send("{\"action\":\"switchLanguage\",\"targetLanguage\":\"fr\"}");
      second.awaitType("languageSwitched");
      assertThat(language(hooks.await("language.abandoned", id))).isEqualTo("es");
      assertThat(hooks.await("language.demanded", id, 2))
          .extracting(WebhooksIT::language)
          .containsExactly("es", "fr");
    }
    assertThat(hooks.await("language.abandoned", id, 2))
        .extracting(WebhooksIT::language)
        .containsExactly("es", "fr");
    settle();
    assertThat(hooks.of("language.demanded", id)).hasSize(2);
    assertThat(hooks.of("language.abandoned", id)).hasSize(2);
  }

  @Test
  void aSpeakerRefreshOrTakeoverIsNeitherADisconnectNorAConnect() {
    // the refreshed connection is closed by the server after the overlap (10 s by default, as
    // long as the wait for a close): shorter here
    start("connections.refreshOverlap", "1s");
    String alice = server.token("alice");
    Clients clients = Clients.of(server, alice);
    String id = server.createSession(alice, "en");
    try (WsClient first = clients.speaker(id)) {
      hooks.await("stream.started", id);
      String firstId = first.seen().get(0).get("connectionId").asText();
      try (WsClient refreshed =
          clients.speaker(id, "action=refreshConnection", "previousConnectionId=" + firstId)) {
        try (WsClient takeover = clients.speaker(id)) {
          first.awaitClose();
          refreshed.awaitClose();
          settle();
          assertThat(hooks.all())
              .extracting(e -> e.getString("type"))
              .containsExactlyInAnyOrder("session.created", "speaker.connected", "stream.started");
        }
      }
    }
    hooks.await("speaker.disconnected", id);
  }

  @Test
  void aFailedDeliveryIsRetriedWithBackoffUnderTheSameId() {
    Set<String> failedOnce = ConcurrentHashMap.newKeySet();
    backend.answer(
        "/hooks",
        r ->
            failedOnce.add(r.json().getString("id"))
                ? TestBackend.Answer.of(500, "")
                : TestBackend.Answer.empty());
    start();
    String alice = server.token("alice");
    String id = server.createSession(alice, "en");
    List<JsonObject> tries = hooks.await("session.created", id, 2);
    assertThat(tries.get(1).getString("id")).isEqualTo(tries.get(0).getString("id"));
    assertThat(tries.get(1).encode()).isEqualTo(tries.get(0).encode());
    List<TestBackend.Request> requests = backend.requests("/hooks");
    assertThat(requests.get(1).receivedAt() - requests.get(0).receivedAt())
        .as("ms between the attempts")
        .isGreaterThanOrEqualTo(900);
    hooks.assertAllSigned();
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> server.metric("pentecost_webhook_deliveries_total") == 1);
    assertThat(server.metric("pentecost_webhook_retries_total")).isEqualTo(1);
  }

  @Test
  void aFullQueueDropsItsOldestAndCountsThem() {
    backend.answer("/hooks", TestBackend.Answer.empty().after(Duration.ofSeconds(3)));
    start("backend.webhookQueueSize", "2", "backend.timeout", "10s");
    String alice = server.token("alice");
    for (int i = 0; i < 10; i++) {
      server.createSession(alice, "en");
    }
    // four at the backend, the two newest queued: the other four were dropped
    assertThat(server.metric("pentecost_webhook_dropped_total")).isEqualTo(4);
    assertThat(server.metric("pentecost_webhook_events_total")).isEqualTo(10);
    Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> server.metric("pentecost_webhook_deliveries_total") == 6);
    assertThat(backend.requests("/hooks")).hasSize(6);
  }

  @Test
  void aSessionThatExpiresIsReportedEndedOnceAndAnEndedOneIsNot() {
    start("sessions.ttl", "2s", "sessions.purgeInterval", "1s");
    String alice = server.token("alice");
    String expires = server.createSession(alice, "en");
    String ends = server.createSession(alice, "en");
    server.send("DELETE", "/sessions/" + ends, alice, null);
    JsonObject ended = hooks.await("session.ended", expires);
    assertThat(ended.getJsonObject("data").getString("reason")).isEqualTo("expired");
    settle();
    assertThat(hooks.of("session.ended", expires)).hasSize(1);
    assertThat(hooks.of("session.ended", ends)).hasSize(1);
  }

  private static String language(JsonObject event) {
    return event.getJsonObject("data").getString("language");
  }

  /** Long enough for a duplicate, if any, to arrive. */
  private static void settle() {
    try {
      Thread.sleep(1_500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
